package classroom

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Gradebook is a class's students x assignments.
type Gradebook struct {
	Class       *domain.Class
	Assignments []*domain.Assignment
	Rows        []GradeRow
}

// GradeRow is one student's line of the gradebook.
type GradeRow struct {
	Member       *domain.ClassMember
	Cells        []GradeCell // one per assignment, in the gradebook's order
	LastActivity time.Time   // zero: none
}

// GradeCell is one student's work on one assignment; Assigned is false when the assignment is
// for another section.
type GradeCell struct {
	Assigned bool
	Work     domain.Work
}

// Text is the cell as the gradebook page and its CSV both show it: "-" (not assigned), "not
// started", "in progress 3/10", "85%", "85% late".
func (c GradeCell) Text() string {
	w := c.Work
	switch {
	case !c.Assigned:
		return "-"
	case w.Finished():
		t := strconv.Itoa(w.Score) + "%"
		if w.Late() {
			t += " late"
		}
		return t
	case w.Status == domain.WorkInProgress && w.Of > 0:
		return fmt.Sprintf("in progress %d/%d", w.Progress, w.Of)
	default:
		return string(w.Status)
	}
}

// Gradebook returns the class's gradebook: a handful of set-based queries, whatever the size.
func (s *Service) Gradebook(ctx context.Context, viewer *domain.User, classID string) (*Gradebook, error) {
	class, err := s.Teach(ctx, viewer, classID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.ClassMembers(ctx, classID)
	if err != nil {
		return nil, err
	}
	as, err := s.store.Assignments(ctx, classID)
	if err != nil {
		return nil, err
	}
	work, err := s.store.ClassWork(ctx, classID, 0)
	if err != nil {
		return nil, err
	}
	act, err := s.store.ClassActivity(ctx, classID)
	if err != nil {
		return nil, err
	}
	col := make(map[int64]int, len(as))
	for i, a := range as {
		col[a.ID] = i
	}
	g := &Gradebook{Class: class, Assignments: as}
	row := map[int64]int{}
	for _, m := range members {
		if m.Role != domain.ClassStudent {
			continue
		}
		row[m.User.ID] = len(g.Rows)
		g.Rows = append(g.Rows, GradeRow{Member: m, Cells: make([]GradeCell, len(as)), LastActivity: act[m.User.ID]})
	}
	for _, w := range work {
		r, ok := row[w.UserID]
		if !ok {
			continue
		}
		g.Rows[r].Cells[col[w.AssignmentID]] = GradeCell{Assigned: true, Work: w}
	}
	return g, nil
}

// WriteCSV writes the gradebook as CSV: username, name, section, then one column per
// assignment (its title), each cell as the page shows it.
func (g *Gradebook) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"username", "name", "section"}
	for _, a := range g.Assignments {
		head = append(head, a.Title)
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("write gradebook: %w", err)
	}
	for _, r := range g.Rows {
		rec := []string{r.Member.User.Username, r.Member.User.DisplayName, r.Member.Section}
		for _, c := range r.Cells {
			rec = append(rec, c.Text())
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write gradebook: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write gradebook: %w", err)
	}
	return nil
}

type jsonAssignment struct {
	ID      int64     `json:"id"`
	Title   string    `json:"title"`
	Kind    string    `json:"kind"`
	Section string    `json:"section,omitempty"`
	OpensAt time.Time `json:"opens_at,omitzero"`
	DueAt   time.Time `json:"due_at"`
}

type jsonCell struct {
	AssignmentID int64     `json:"assignment_id"`
	Status       string    `json:"status"`
	Score        *int      `json:"score"`
	Late         bool      `json:"late"`
	Attempts     int       `json:"attempts,omitempty"`
	DoneAt       time.Time `json:"done_at,omitzero"`
	LastActivity time.Time `json:"last_activity,omitzero"`
	Text         string    `json:"text"`
}

type jsonStudent struct {
	Username     string     `json:"username"`
	Name         string     `json:"name"`
	Section      string     `json:"section"`
	LastActivity time.Time  `json:"last_activity,omitzero"`
	Work         []jsonCell `json:"work"`
}

// WriteJSON writes the gradebook as JSON: the assignments, and per student their work on
// each assignment given to them.
func (g *Gradebook) WriteJSON(w io.Writer) error {
	out := struct {
		Class       string           `json:"class"`
		Title       string           `json:"title"`
		Assignments []jsonAssignment `json:"assignments"`
		Students    []jsonStudent    `json:"students"`
	}{Class: g.Class.ID, Title: g.Class.Title, Assignments: []jsonAssignment{}, Students: []jsonStudent{}}
	for _, a := range g.Assignments {
		out.Assignments = append(out.Assignments, jsonAssignment{ID: a.ID, Title: a.Title, Kind: string(a.Kind),
			Section: a.Section, OpensAt: a.OpensAt, DueAt: a.DueAt})
	}
	for _, r := range g.Rows {
		st := jsonStudent{Username: r.Member.User.Username, Name: r.Member.User.DisplayName, Section: r.Member.Section,
			LastActivity: r.LastActivity, Work: []jsonCell{}}
		for _, c := range r.Cells {
			if !c.Assigned {
				continue
			}
			wk := c.Work
			jc := jsonCell{AssignmentID: wk.AssignmentID, Status: string(wk.Status), Late: wk.Late(), Attempts: wk.Attempts,
				DoneAt: wk.DoneAt, LastActivity: wk.LastAt, Text: c.Text()}
			if wk.HasScore {
				jc.Score = &wk.Score
			}
			st.Work = append(st.Work, jc)
		}
		out.Students = append(out.Students, st)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write gradebook: %w", err)
	}
	return nil
}

// Tally is right answers out of all.
type Tally struct{ Correct, Total int }

// Percent is the share right, rounded; 0 without answers.
func (t Tally) Percent() int {
	if t.Total == 0 {
		return 0
	}
	return int(math.Round(100 * float64(t.Correct) / float64(t.Total)))
}

// HeatMap is a class's accuracy per competency, for the class and each section.
type HeatMap struct {
	Class    *domain.Class
	Columns  []string // "" (the whole class) then each section with students
	Rows     []HeatRow
	Students int
}

// HeatRow is one competency (or, with Domain set, a domain's summary line).
type HeatRow struct {
	ID, Title, DomainTitle string
	Cells                  []Tally // one per column
}

// HeatMap returns where the class is weak: right answers per competency, over all its
// students' answers, from one grouped query.
func (s *Service) HeatMap(ctx context.Context, viewer *domain.User, classID string) (*HeatMap, error) {
	class, err := s.Teach(ctx, viewer, classID)
	if err != nil {
		return nil, err
	}
	tallies, err := s.store.ClassTallies(ctx, classID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.ClassMembers(ctx, classID)
	if err != nil {
		return nil, err
	}
	h := &HeatMap{Class: class, Columns: []string{""}}
	for _, m := range members {
		if m.Role == domain.ClassStudent {
			h.Students++
			if m.Section != "" && !slices.Contains(h.Columns, m.Section) {
				h.Columns = append(h.Columns, m.Section)
			}
		}
	}
	slices.Sort(h.Columns[1:])
	if len(h.Columns) == 2 {
		h.Columns = h.Columns[:1] // one section is the whole class
	}
	colOf := map[string]int{}
	for i, c := range h.Columns {
		colOf[c] = i
	}
	rowOf := map[string]int{}
	for _, d := range s.cat.Domains {
		for _, c := range d.Competencies {
			rowOf[c.ID] = len(h.Rows)
			h.Rows = append(h.Rows, HeatRow{ID: c.ID, Title: c.Title, DomainTitle: d.Title, Cells: make([]Tally, len(h.Columns))})
		}
	}
	for _, t := range tallies {
		q := s.cat.Question(t.QuestionID)
		if q == nil || q.Competency == nil {
			continue
		}
		r, ok := rowOf[q.Competency.ID]
		if !ok {
			continue
		}
		cells := h.Rows[r].Cells
		cells[0].Correct += t.Correct
		cells[0].Total += t.Total
		if c, ok := colOf[t.Section]; ok && c > 0 {
			cells[c].Correct += t.Correct
			cells[c].Total += t.Total
		}
	}
	return h, nil
}

// StudentReport is what an instructor sees of one student: their work on the class's
// assignments, accuracy by domain and competency, and labs passed. Readiness, exam history
// and the review backlog come from the trainer (the handler asks it once this allowed).
type StudentReport struct {
	Class        *domain.Class
	Member       *domain.ClassMember
	Assignments  []*domain.Assignment
	Work         map[int64]domain.Work
	Domains      []AreaTally
	Competencies []AreaTally
	LabsPassed   []domain.LabPass
}

// AreaTally is accuracy in a domain or competency.
type AreaTally struct {
	ID, Title string
	Tally
}

// Student returns one student's report for the class's instructors; anyone else, and any
// user who is not a student of the class, gets ErrNoClass or ENOTFOUND.
func (s *Service) Student(ctx context.Context, viewer *domain.User, classID string, userID int64) (*StudentReport, error) {
	class, err := s.Teach(ctx, viewer, classID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.ClassMembers(ctx, classID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(members, func(m *domain.ClassMember) bool { return m.User.ID == userID && m.Role == domain.ClassStudent })
	if i < 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "That person is not a student of this class.")
	}
	rep := &StudentReport{Class: class, Member: members[i], Work: map[int64]domain.Work{}}
	if rep.Assignments, err = s.store.Assignments(ctx, classID); err != nil {
		return nil, err
	}
	ws, err := s.store.ClassWork(ctx, classID, userID)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		rep.Work[w.AssignmentID] = w
	}
	stats, err := s.store.QuestionStats(ctx, userID)
	if err != nil {
		return nil, err
	}
	dom, comp := map[string]*Tally{}, map[string]*Tally{}
	for _, st := range stats {
		q := s.cat.Question(st.QuestionID)
		if q == nil {
			continue
		}
		for _, p := range []struct {
			m  map[string]*Tally
			id string
		}{{dom, q.Domain.ID}, {comp, q.Competency.ID}} {
			t := p.m[p.id]
			if t == nil {
				t = &Tally{}
				p.m[p.id] = t
			}
			t.Correct += st.Correct
			t.Total += st.Count
		}
	}
	for _, d := range s.cat.Domains {
		if t := dom[d.ID]; t != nil {
			rep.Domains = append(rep.Domains, AreaTally{ID: d.ID, Title: d.Title, Tally: *t})
		}
		for _, c := range d.Competencies {
			if t := comp[c.ID]; t != nil {
				rep.Competencies = append(rep.Competencies, AreaTally{ID: c.ID, Title: c.Title, Tally: *t})
			}
		}
	}
	if rep.LabsPassed, err = s.store.LabPasses(ctx, userID); err != nil {
		return nil, err
	}
	return rep, nil
}

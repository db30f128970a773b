package classroom

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// ItemStore reads what the item analysis needs.
type ItemStore interface {
	ClassItemScores(ctx context.Context, classID string) ([]domain.ItemScore, error)
	OpenReportsOn(ctx context.Context, classID string, questionIDs []string) ([]domain.Report, error)
}

// AllClasses is the class id that asks for the item analysis over every exam attempt on the
// server (admins only). Class ids are lower case, so it is never a class's id.
const AllClasses = "ALL"

// ItemAnalysis is the item analysis of a class (or of the whole server).
type ItemAnalysis struct {
	ClassID  string // AllClasses for the whole server
	Title    string
	Attempts int // submitted exam attempts read
	Items    []domain.ItemStat
	Reports  map[string][]domain.Report // open learner reports, by question id
	Summary  map[string]string          // one line of each question's text, by question id
}

// ItemAnalysis computes Moodle's item statistics (AnalyseItems) over the submitted exam
// attempts of class classID's students (since they joined), for its instructors and admins;
// classID AllClasses reads every attempt on the server, for admins only. Each question carries
// the count of its open learner reports (by the class's students; all of them for AllClasses),
// so a flagged question is seen beside them.
func (s *Service) ItemAnalysis(ctx context.Context, viewer *domain.User, classID string) (*ItemAnalysis, error) {
	a := &ItemAnalysis{ClassID: classID}
	scope := classID
	if classID == AllClasses {
		if viewer == nil || viewer.Disabled || viewer.Role != domain.RoleAdmin {
			return nil, ErrNoClass
		}
		scope, a.Title = "", "every exam on this server"
	} else {
		c, err := s.Teach(ctx, viewer, classID)
		if err != nil {
			return nil, err
		}
		a.Title = c.Title
	}
	scores, err := s.store.ClassItemScores(ctx, scope)
	if err != nil {
		return nil, err
	}
	attempts := map[int64]bool{}
	for _, sc := range scores {
		attempts[sc.AttemptID] = true
	}
	a.Attempts = len(attempts)
	a.Items = AnalyseItems(scores)
	ids := make([]string, len(a.Items))
	for i, it := range a.Items {
		ids[i] = it.QuestionID
	}
	reports, err := s.store.OpenReportsOn(ctx, scope, ids)
	if err != nil {
		return nil, err
	}
	a.Reports = map[string][]domain.Report{}
	for _, r := range reports {
		a.Reports[r.QuestionID] = append(a.Reports[r.QuestionID], r)
	}
	a.Summary = map[string]string{}
	for i := range a.Items {
		id := a.Items[i].QuestionID
		a.Items[i].Reports = len(a.Reports[id])
		if q := s.cat.Question(id); q != nil {
			a.Summary[id] = q.Summary()
		} else if q, _, err := s.ClassQuestion(ctx, id); err == nil {
			a.Summary[id] = q.Summary()
		}
	}
	return a, nil
}

// ItemCSVHeader is the first line of the CSV export.
var ItemCSVHeader = []string{"question_id", "attempts", "facility", "sd", "discrimination", "discriminative_efficiency", "flagged", "reports"}

// WriteCSV writes the analysis as CSV (encoding/csv, RFC 4180): one row per question, with
// facility and sd as fractions (0..1), discrimination and efficiency as percentages, and an
// empty cell where a statistic is undefined.
func (a *ItemAnalysis) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ItemCSVHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', 4, 64)
	}
	for _, it := range a.Items {
		rec := []string{it.QuestionID, strconv.Itoa(it.Attempts), strconv.FormatFloat(it.Facility, 'f', 4, 64), num(it.SD),
			num(it.Discrimination), num(it.Efficiency), strconv.FormatBool(it.Flagged), strconv.Itoa(it.Reports)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the analysis as JSON: {"class", "attempts", "items": [...]}, with null
// where a statistic is undefined.
func (a *ItemAnalysis) WriteJSON(w io.Writer) error {
	items := a.Items
	if items == nil {
		items = []domain.ItemStat{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Class    string            `json:"class"`
		Attempts int               `json:"attempts"`
		Items    []domain.ItemStat `json:"items"`
	}{a.ClassID, a.Attempts, items}); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

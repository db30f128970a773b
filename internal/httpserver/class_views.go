package httpserver

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	_ "time/tzdata" // time zones typed in forms resolve on hosts without zoneinfo

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) gradebookVM(r *http.Request, g *classroom.Gradebook) pages.GradebookVM {
	id := g.Class.ID
	vm := pages.GradebookVM{Page: s.page(r, "Gradebook: "+g.Class.Title, ""), Nav: s.classNav(id, g.Class.Title, "gradebook"),
		CSVURL: classURL(id) + "/gradebook.csv", JSONURL: classURL(id) + "/gradebook.json"}
	for _, a := range g.Assignments {
		vm.Assignments = append(vm.Assignments, assignmentRow(a))
	}
	vm.Rows = make([]pages.GradeRowVM, len(g.Rows))
	for i, row := range g.Rows {
		u := row.Member.User
		gr := pages.GradeRowVM{Username: u.Username, Name: u.DisplayName, Section: row.Member.Section,
			URL: classURL(id) + "/students/" + strconv.FormatInt(u.ID, 10), LastActivity: localTime(row.LastActivity),
			Cells: make([]pages.GradeCellVM, len(row.Cells))}
		for j, c := range row.Cells {
			st := "none"
			if c.Assigned {
				st = statusClass(c.Work.Status)
			}
			gr.Cells[j] = pages.GradeCellVM{Text: c.Text(), Status: st, Late: c.Work.Late(), Last: localTime(c.Work.LastAt)}
		}
		vm.Rows[i] = gr
	}
	return vm
}

func (s *Server) handleGradebook(w http.ResponseWriter, r *http.Request) {
	g, err := s.classroom.Gradebook(r.Context(), user(r), chi.URLParam(r, "classID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.Gradebook(s.gradebookVM(r, g)))
}

func (s *Server) handleGradebookCSV(w http.ResponseWriter, r *http.Request) {
	s.writeGradebook(w, r, "csv", "text/csv; charset=utf-8", (*classroom.Gradebook).WriteCSV)
}

func (s *Server) handleGradebookJSON(w http.ResponseWriter, r *http.Request) {
	s.writeGradebook(w, r, "json", "application/json", (*classroom.Gradebook).WriteJSON)
}

func (s *Server) writeGradebook(w http.ResponseWriter, r *http.Request, ext, ctype string, write func(*classroom.Gradebook, io.Writer) error) {
	g, err := s.classroom.Gradebook(r.Context(), user(r), chi.URLParam(r, "classID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var buf strings.Builder
	if err := write(g, &buf); err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-gradebook.%s"`, g.Class.ID, ext))
	_, _ = w.Write([]byte(buf.String()))
}

func heatLevel(t classroom.Tally) string {
	switch p := t.Percent(); {
	case t.Total == 0:
		return "none"
	case p < 60:
		return "weak"
	case p < 75:
		return "fair"
	default:
		return "good"
	}
}

func (s *Server) handleHeatMap(w http.ResponseWriter, r *http.Request) {
	h, err := s.classroom.HeatMap(r.Context(), user(r), chi.URLParam(r, "classID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.HeatMapVM{Page: s.page(r, "Heat map: "+h.Class.Title, ""), Nav: s.classNav(h.Class.ID, h.Class.Title, "heatmap"),
		Columns: h.Columns, Students: h.Students}
	for _, row := range h.Rows {
		hr := pages.HeatRowVM{Title: row.Title, Domain: row.DomainTitle}
		for _, c := range row.Cells {
			hr.Cells = append(hr.Cells, pages.HeatCellVM{Percent: c.Percent(), Correct: c.Correct, Total: c.Total, Level: heatLevel(c)})
		}
		vm.Rows = append(vm.Rows, hr)
	}
	s.render(w, r, http.StatusOK, pages.HeatMap(vm))
}

func (s *Server) handleClassStudent(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	uid, err := pathID(r, "userID")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rep, err := s.classroom.Student(r.Context(), user(r), classID, uid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// The classroom allowed the viewer to see this student: the trainer's views of them follow.
	ctx := r.Context()
	est, err := s.trainer.Readiness(ctx, uid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	hist, err := s.trainer.History(ctx, uid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rev, err := s.trainer.ReviewSummary(ctx, uid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	m := rep.Member
	vm := pages.StudentReportVM{Page: s.page(r, m.User.DisplayName+": "+rep.Class.Title, ""), Nav: s.classNav(classID, rep.Class.Title, ""),
		Username: m.User.Username, Name: m.User.DisplayName, Section: m.Section, Email: m.Email,
		Readiness: readinessOf(est, s.catalog.Curriculum.Exam.MaxScore, s.catalog.Curriculum.Exam.PassScore.Value),
		ReviewDue: rev.DueNow, ReviewTotal: rev.Total}
	for _, a := range rep.Assignments {
		wk, ok := rep.Work[a.ID]
		if !ok {
			continue
		}
		vm.Work = append(vm.Work, pages.StudentWorkVM{Title: a.Title, Due: localTime(a.DueAt), Status: statusClass(wk.Status),
			Text: classroom.GradeCell{Assigned: true, Work: wk}.Text()})
	}
	for _, d := range rep.Domains {
		vm.Domains = append(vm.Domains, pages.AccuracyVM{Title: d.Title, Correct: d.Correct, Total: d.Total, Percent: d.Percent()})
	}
	for _, c := range rep.Competencies {
		vm.Competencies = append(vm.Competencies, pages.AccuracyVM{Title: c.Title, Correct: c.Correct, Total: c.Total, Percent: c.Percent()})
	}
	for i := len(hist) - 1; i >= 0; i-- {
		e := hist[i]
		vm.Exams = append(vm.Exams, pages.ExamRowVM{Date: e.StartedAt.Format("2 Jan 2006 15:04"), Score: e.Score, Passed: e.Passed(),
			Correct: e.Correct, Total: e.Total, TimeUsed: formatDuration(e.TimeUsed())})
	}
	for _, p := range rep.LabsPassed {
		title := p.LabID
		if l := s.catalog.Lab(p.LabID); l != nil {
			title = l.Title
		}
		vm.LabsPassed = append(vm.LabsPassed, pages.LabPassVM{Title: title, Passed: localTime(p.PassedAt)})
	}
	s.render(w, r, http.StatusOK, pages.StudentReport(vm))
}

package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones typed in forms resolve on hosts without zoneinfo

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// ClassWork is the classroom's assignments, live exams, gradebook and instructor views
// (classroom.Service).
type ClassWork interface {
	Assign(ctx context.Context, viewer *domain.User, classID string, na classroom.NewAssignment) (*domain.Assignment, error)
	Assignments(ctx context.Context, viewer *domain.User, classID string) ([]*domain.Assignment, error)
	MyAssignments(ctx context.Context, viewer *domain.User) ([]classroom.StudentAssignment, error)
	MyAssignment(ctx context.Context, viewer *domain.User, classID string, id int64) (classroom.StudentAssignment, error)
	StartExam(ctx context.Context, viewer *domain.User, classID string, id int64) (domain.Exam, error)
	Gradebook(ctx context.Context, viewer *domain.User, classID string) (*classroom.Gradebook, error)
	HeatMap(ctx context.Context, viewer *domain.User, classID string) (*classroom.HeatMap, error)
	Student(ctx context.Context, viewer *domain.User, classID string, userID int64) (*classroom.StudentReport, error)
	Live(ctx context.Context, viewer *domain.User, classID string, id int64) (classroom.LiveExam, error)
	OpenLive(ctx context.Context, viewer *domain.User, classID string, id int64, minutes int) error
	Accommodate(ctx context.Context, viewer *domain.User, classID string, id, userID int64, extra int) error
}

// classWorkRoutes are the pages of assignments, live exams and the instructor's views.
func (s *Server) classWorkRoutes(r chi.Router) {
	r.Get("/classes/{classID}/assignments", s.handleClassAssignments)
	r.Post("/classes/{classID}/assignments", s.handleAssign)
	r.Get("/classes/{classID}/assignments/{aid}", s.handleStudentAssignment)
	r.Post("/classes/{classID}/assignments/{aid}/start", s.handleStartAssignmentExam)
	r.Get("/classes/{classID}/assignments/{aid}/live", s.handleLiveExam)
	r.Get("/classes/{classID}/assignments/{aid}/live/rows", s.handleLiveRows)
	r.Post("/classes/{classID}/assignments/{aid}/open", s.handleOpenLive)
	r.Post("/classes/{classID}/assignments/{aid}/extra", s.handleExtraTime)
	r.Get("/classes/{classID}/gradebook", s.handleGradebook)
	r.Get("/classes/{classID}/gradebook.csv", s.handleGradebookCSV)
	r.Get("/classes/{classID}/gradebook.json", s.handleGradebookJSON)
	r.Get("/classes/{classID}/heatmap", s.handleHeatMap)
	r.Get("/classes/{classID}/students/{userID}", s.handleClassStudent)
}

func classURL(id string) string { return "/classes/" + id }
func assignmentURL(classID string, id int64) string {
	return classURL(classID) + "/assignments/" + strconv.FormatInt(id, 10)
}

// pathID reads a numeric URL parameter; a malformed one is a page that does not exist.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "There is no page at %s.", r.URL.Path)
	}
	return id, nil
}

// localTime shows t in the reader's time zone (app.js converts; UTC without scripts).
func localTime(t time.Time) pages.LocalTime {
	if t.IsZero() {
		return pages.LocalTime{}
	}
	return pages.LocalTime{ISO: t.UTC().Format(time.RFC3339), Text: t.UTC().Format("Mon 2 Jan 2006, 15:04 UTC")}
}

// parseFormTime reads a datetime-local value typed in time zone tz (the browser's, sent by
// app.js; UTC when absent or unknown). "" is the zero time.
func parseFormTime(v, tz, field string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, domain.Errorf(domain.EINVALID, "The %s time %q is not a date and time like 2026-03-02T14:00.", field, v)
}

func (s *Server) classNav(classID, title, current string) pages.ClassNavVM {
	return pages.ClassNavVM{ClassID: classID, Title: title, Current: current}
}

func assignmentRow(a *domain.Assignment) pages.AssignmentRowVM {
	row := pages.AssignmentRowVM{ID: a.ID, Title: a.Title, Kind: string(a.Kind), Section: a.Section,
		Opens: localTime(a.OpensAt), Due: localTime(a.DueAt), Closes: localTime(a.ClosesAt), URL: assignmentURL(a.ClassID, a.ID)}
	if a.Kind == domain.AssignExam {
		attempts := "unlimited attempts"
		if a.Attempts > 0 {
			attempts = fmt.Sprintf("%d attempt(s)", a.Attempts)
		}
		review := map[domain.ReviewPolicy]string{domain.ReviewImmediately: "answers shown at once",
			domain.ReviewAfterDue: "answers shown after the due time", domain.ReviewNever: "answers never shown"}[a.Review]
		source := map[domain.QuestionSource]string{domain.SourceBank: "from the bank", domain.SourceOwn: "from the class's own questions",
			domain.SourceBoth: "the class's own questions and the bank"}[a.Source]
		row.Settings = fmt.Sprintf("%d questions (%s), %d minutes, %s, %s counts, %s", a.Questions, source, a.Minutes, attempts, a.Grading, review)
		row.LiveURL = row.URL + "/live"
	}
	return row
}

func (s *Server) handleClassAssignments(w http.ResponseWriter, r *http.Request) {
	s.renderAssignments(w, r, http.StatusOK, pages.AssignFormVM{Kind: "exam", Attempts: "1", Grading: "highest", Review: "after_due", Source: "bank"}, "")
}

func (s *Server) renderAssignments(w http.ResponseWriter, r *http.Request, status int, form pages.AssignFormVM, msg string) {
	classID := chi.URLParam(r, "classID")
	class, err := s.classroom.Teach(r.Context(), user(r), classID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	as, err := s.classroom.Assignments(r.Context(), user(r), classID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.ClassAssignmentsVM{Page: s.page(r, "Assignments: "+class.Title, ""), Nav: s.classNav(classID, class.Title, "assignments"),
		Sections: class.Sections, Form: form, Error: msg}
	for _, a := range as {
		vm.Assignments = append(vm.Assignments, assignmentRow(a))
	}
	for _, l := range s.catalog.Labs {
		vm.Labs = append(vm.Labs, pages.Option{Value: l.ID, Label: "Lab: " + l.Title})
	}
	vm.Domains = append(vm.Domains, pages.Option{Value: classroom.OwnQuestions, Label: "The class's own questions (practice)"})
	for _, d := range s.catalog.Domains {
		vm.Domains = append(vm.Domains, pages.Option{Value: d.ID, Label: "Domain: " + d.Title})
		for _, c := range d.Competencies {
			vm.Domains = append(vm.Domains, pages.Option{Value: c.ID, Label: "Competency: " + c.Title})
		}
	}
	s.render(w, r, status, pages.ClassAssignments(vm))
}

func formInt(v, field string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "%s must be a whole number, not %q.", field, v)
	}
	return n, nil
}

func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.Error(w, r, domain.Errorf(domain.EINVALID, "The form could not be read."))
		return
	}
	f := pages.AssignFormVM{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Section: r.PostFormValue("section"),
		Ref: r.PostFormValue("ref"), Count: r.PostFormValue("count"), Minutes: r.PostFormValue("minutes"),
		Attempts: r.PostFormValue("attempts"), Grading: r.PostFormValue("grading"), Review: r.PostFormValue("review"),
		Source: r.PostFormValue("source"), Opens: r.PostFormValue("opens"), Due: r.PostFormValue("due")}
	na, err := newAssignmentFromForm(f, r.PostFormValue("tz"))
	if err == nil {
		_, err = s.classroom.Assign(r.Context(), user(r), chi.URLParam(r, "classID"), na)
	}
	if domain.ErrorCode(err) == domain.EINVALID {
		s.renderAssignments(w, r, http.StatusUnprocessableEntity, f, domain.ErrorMessage(err))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, classURL(chi.URLParam(r, "classID"))+"/assignments", http.StatusSeeOther)
}

func newAssignmentFromForm(f pages.AssignFormVM, tz string) (classroom.NewAssignment, error) {
	na := classroom.NewAssignment{Kind: domain.AssignmentKind(f.Kind), Title: f.Title, Section: f.Section, Ref: f.Ref,
		Grading: domain.ExamGrading(f.Grading), Review: domain.ReviewPolicy(f.Review), Source: domain.QuestionSource(f.Source)}
	var err error
	if na.Count, err = formInt(f.Count, "Questions"); err != nil {
		return na, err
	}
	if na.Minutes, err = formInt(f.Minutes, "The time limit"); err != nil {
		return na, err
	}
	if na.Attempts, err = formInt(f.Attempts, "Attempts"); err != nil {
		return na, err
	}
	if na.OpensAt, err = parseFormTime(f.Opens, tz, "opening"); err != nil {
		return na, err
	}
	if na.DueAt, err = parseFormTime(f.Due, tz, "due"); err != nil {
		return na, err
	}
	return na, nil
}

// statusClass is the css hook of a work status.
func statusClass(st domain.WorkStatus) string { return strings.ReplaceAll(string(st), " ", "-") }

func (s *Server) handleStudentAssignment(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	id, err := pathID(r, "aid")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sa, err := s.classroom.MyAssignment(r.Context(), user(r), classID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a, wk := sa.Assignment, sa.Work
	now := s.trainer.Now()
	cell := classroom.GradeCell{Assigned: true, Work: wk}
	vm := pages.StudentAssignmentVM{Page: s.page(r, a.Title, "home"), ClassTitle: sa.ClassTitle, A: assignmentRow(a),
		Status: statusClass(wk.Status), Text: cell.Text(), Overdue: sa.Overdue(now), Open: sa.Open(now),
		Preview: wk.UserID == 0}
	switch a.Kind {
	case domain.AssignExam:
		vm.StartURL = assignmentURL(classID, a.ID) + "/start"
		switch {
		case wk.OpenExamID != 0:
			vm.ExamURL = examURL(wk.OpenExamID)
		case wk.LastExamID != 0:
			vm.ExamURL = examURL(wk.LastExamID) + "/result"
		}
		if a.Attempts > 0 {
			vm.Attempts = fmt.Sprintf("Attempts used: %d of %d.", wk.Attempts, a.Attempts)
			if wk.Attempts >= a.Attempts && wk.OpenExamID == 0 {
				vm.StartURL = ""
			}
		}
		if wk.OpenExamID != 0 {
			vm.StartURL = ""
		}
	case domain.AssignLessons:
		done, err := s.study.CompletedLessons(r.Context(), user(r).ID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		for _, lid := range a.Items {
			if l := s.catalog.Lesson(lid); l != nil {
				_, ok := done[lid]
				vm.Items = append(vm.Items, pages.ItemVM{Title: l.Title, URL: l.URL(), Done: ok})
			}
		}
	case domain.AssignPractice:
		for i, qid := range a.Items {
			if q, err := s.trainer.Question(r.Context(), user(r).ID, qid); err == nil {
				vm.Items = append(vm.Items, pages.ItemVM{Title: fmt.Sprintf("Question %d (%s)", i+1, q.Competency.Title), URL: "/practice/q/" + qid})
			}
		}
	case domain.AssignLab:
		if l := s.catalog.Lab(a.Ref); l != nil {
			vm.LabURL = l.URL()
		}
	}
	s.render(w, r, http.StatusOK, pages.StudentAssignment(vm))
}

func (s *Server) handleStartAssignmentExam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "aid")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ex, err := s.classroom.StartExam(r.Context(), user(r), chi.URLParam(r, "classID"), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, examURL(ex.ID), http.StatusSeeOther)
}

// myAssignmentsVM lists the signed-in student's assignments for the dashboard.
func (s *Server) myAssignmentsVM(r *http.Request) ([]pages.MyAssignmentVM, error) {
	if s.classroom == nil {
		return nil, nil
	}
	mine, err := s.classroom.MyAssignments(r.Context(), user(r))
	if err != nil {
		return nil, err
	}
	now := s.trainer.Now()
	out := make([]pages.MyAssignmentVM, 0, len(mine))
	for _, sa := range mine {
		a := sa.Assignment
		out = append(out, pages.MyAssignmentVM{Title: a.Title, ClassTitle: sa.ClassTitle, URL: assignmentURL(a.ClassID, a.ID),
			Kind: string(a.Kind), Status: string(sa.Work.Status), StatusClass: statusClass(sa.Work.Status), Due: localTime(a.DueAt),
			Overdue: sa.Overdue(now), Text: classroom.GradeCell{Assigned: true, Work: sa.Work}.Text()})
	}
	return out, nil
}

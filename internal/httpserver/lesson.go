package httpserver

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// lessonFromRequest finds the lesson named by the URL or returns ENOTFOUND.
func (s *Server) lessonFromRequest(r *http.Request) (*catalog.Lesson, error) {
	l := s.catalog.Lesson(chi.URLParam(r, "domainID") + "/" + chi.URLParam(r, "slug"))
	if l == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no such lesson.")
	}
	return l, nil
}

func (s *Server) handleLesson(w http.ResponseWriter, r *http.Request) {
	l, err := s.lessonFromRequest(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	completedAt, done, err := s.study.LessonCompletedAt(r.Context(), user(r).ID, l.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.LessonVM{
		Page:        s.page(r, l.Title, "home"),
		ID:          l.ID,
		Title:       l.Title,
		DomainTitle: l.Domain.Title,
		DomainURL:   l.Domain.URL(),
		Minutes:     l.Minutes,
		Words:       l.Words,
		Objectives:  l.Objectives,
		BodyHTML:    l.HTML,
		Labs:        labLinks(l.Labs),
		Complete:    completeVM(l, done, completedAt),
	}
	for _, c := range l.Competencies {
		vm.Competencies = append(vm.Competencies, c.Title)
	}
	for _, h := range l.TOC {
		vm.TOC = append(vm.TOC, pages.TOCItem{Level: h.Level, ID: h.ID, Text: h.Text})
	}
	for _, ref := range l.References {
		vm.References = append(vm.References, pages.RefLink{Label: ref.Label(), URL: ref.URL})
	}
	for _, q := range l.Questions {
		vm.Questions = append(vm.Questions, pages.QuestionLink{ID: q.ID, Summary: q.Summary(), URL: q.URL()})
	}
	if l.Prev != nil {
		vm.Prev = &pages.LessonLink{Title: l.Prev.Title, URL: l.Prev.URL()}
	}
	if l.Next != nil {
		vm.Next = &pages.LessonLink{Title: l.Next.Title, URL: l.Next.URL()}
	}
	s.render(w, r, http.StatusOK, pages.Lesson(vm))
}

// handleLessonComplete marks the lesson complete (done=1) or not (done=0). It is idempotent.
func (s *Server) handleLessonComplete(w http.ResponseWriter, r *http.Request) {
	l, err := s.lessonFromRequest(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var done bool
	switch r.PostFormValue("done") {
	case "1":
		done = true
	case "0":
	default:
		s.Error(w, r, domain.Errorf(domain.EINVALID, "Say done=1 or done=0."))
		return
	}
	if err := s.study.SetLessonComplete(r.Context(), user(r).ID, l.ID, done); err != nil {
		s.Error(w, r, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, l.URL()+"#complete-box", http.StatusSeeOther)
		return
	}
	at, ok, err := s.study.LessonCompletedAt(r.Context(), user(r).ID, l.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.CompleteBox(completeVM(l, ok, at)))
}

func completeVM(l *catalog.Lesson, done bool, at time.Time) pages.CompleteVM {
	vm := pages.CompleteVM{URL: l.URL() + "/complete", Done: done}
	if done {
		vm.CompletedAt = at.Format("2 Jan 2006")
	}
	return vm
}

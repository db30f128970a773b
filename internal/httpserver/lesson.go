package httpserver

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/kcnaprep/kcnaprep/web/components"

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

// handleLesson serves a lesson. Everything but the learner's own parts (the user bar, the
// staff links, the "mark complete" box) is rendered once per lesson and kept (lessonPages);
// a request renders the small parts and writes the rest from memory. The ETag covers the
// shared parts and this learner's, so a 304 can only confirm the page this learner got.
func (s *Server) handleLesson(w http.ResponseWriter, r *http.Request) {
	l, err := s.lessonFromRequest(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	u := user(r)
	completedAt, done, err := s.study.LessonCompletedAt(r.Context(), u.ID, l.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lp, err := s.lessonPages.get(l, s.lessonVM)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := s.page(r, l.Title, "home")
	c := completeVM(l, done, completedAt)
	etag := lp.etag(u.ID, p, c)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache") // revalidate every time; never in a shared cache
	h.Set("Vary", "Cookie")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	parts := lessonPartsPool.Get().(*lessonParts)
	defer lessonPartsPool.Put(parts)
	parts.reset()
	for i, c := range []templ.Component{components.StaffNav(p), components.UserBar(p), pages.CompleteBox(c)} {
		if err := c.Render(r.Context(), &parts.buf); err != nil {
			s.Error(w, r, fmt.Errorf("render %s: %w", r.URL.Path, err))
			return
		}
		parts.ends[i] = parts.buf.Len()
	}
	small := parts.buf.Bytes()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(lp.size+len(small)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	from := 0
	for i, seg := range lp.segs {
		_, _ = w.Write(seg)
		if i < len(parts.ends) {
			_, _ = w.Write(small[from:parts.ends[i]])
			from = parts.ends[i]
		}
	}
}

// lessonVM is the lesson's view model with its per-user parts deferred (slots).
func (s *Server) lessonVM(l *catalog.Lesson) pages.LessonVM {
	p := s.page(&http.Request{}, l.Title, "home")
	p.Deferred = true
	vm := pages.LessonVM{
		Page:        p,
		ID:          l.ID,
		Title:       l.Title,
		DomainTitle: l.Domain.Title,
		DomainURL:   l.Domain.URL(),
		Minutes:     l.Minutes,
		Words:       l.Words,
		Objectives:  l.Objectives,
		BodyHTML:    l.HTML,
		Labs:        labLinks(l.Labs),
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
	return vm
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

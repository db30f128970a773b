package httpserver

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) handleDomain(w http.ResponseWriter, r *http.Request) {
	d := s.catalog.Domain(chi.URLParam(r, "domainID"))
	if d == nil {
		s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "There is no such domain."))
		return
	}
	done, err := s.study.CompletedLessons(r.Context(), user(r).ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.DomainVM{
		Page:        s.page(r, d.Title, "home"),
		ID:          d.ID,
		Title:       d.Title,
		Weight:      d.Weight,
		Total:       len(d.Lessons),
		Done:        countDone(d.Lessons, done),
		Questions:   len(d.Questions),
		PracticeURL: "/practice?domain=" + url.QueryEscape(d.ID),
	}
	for _, c := range d.Competencies {
		sec := pages.CompetencySection{
			ID: c.ID, Title: c.Title, Questions: len(c.Questions),
			PracticeURL: "/practice?competency=" + url.QueryEscape(c.ID),
			Labs:        labLinks(c.Labs),
		}
		for _, l := range c.Lessons {
			sec.Lessons = append(sec.Lessons, *lessonLink(l, done))
		}
		vm.Competencies = append(vm.Competencies, sec)
	}
	s.render(w, r, http.StatusOK, pages.Domain(vm))
}

func labLinks(labs []*catalog.Lab) []pages.LabLink {
	out := make([]pages.LabLink, 0, len(labs))
	for _, l := range labs {
		out = append(out, pages.LabLink{ID: l.ID, Title: l.Title, URL: l.URL(), Minutes: l.Minutes})
	}
	return out
}

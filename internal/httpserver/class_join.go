package httpserver

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) handleJoinForm(w http.ResponseWriter, r *http.Request) {
	if code := strings.TrimSpace(r.URL.Query().Get("code")); code != "" {
		http.Redirect(w, r, classroom.JoinPath+url.PathEscape(code), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, pages.Join(pages.JoinVM{Page: s.page(r, "Join a class", "classes")}))
}

func (s *Server) handleJoinPage(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	vm := pages.JoinVM{Page: s.page(r, "Join a class", "classes"), Code: code}
	c, err := s.classroom.InviteClass(r.Context(), code)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusNotFound, pages.Join(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm.ClassTitle = c.Title
	s.render(w, r, http.StatusOK, pages.Join(vm))
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	c, err := s.classroom.Join(r.Context(), user(r), chi.URLParam(r, "code"))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		vm := pages.JoinVM{Page: s.page(r, "Join a class", "classes"), Error: domain.ErrorMessage(err)}
		s.render(w, r, http.StatusNotFound, pages.Join(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/classes?joined="+url.QueryEscape(c.ID), http.StatusSeeOther)
}

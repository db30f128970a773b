package httpserver

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

const sessionUserKey = "user_id"

// WithAccounts runs the server with accounts: every page but the login page needs a login,
// sessions come from sm and users from acc.
func WithAccounts(sm *scs.SessionManager, acc Accounts) Option {
	return func(s *Server) { s.sessions, s.accounts = sm, acc }
}

// safeNext keeps a post-login redirect on this site: a local absolute path only.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, pages.Login(pages.LoginVM{Page: s.page(r, "Sign in", ""), Next: safeNext(r.URL.Query().Get("next"))}))
}

// handleLogin checks the password, renews the session token (so a token fixed before login
// is useless after it) and stores the user in the session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	vm := pages.LoginVM{Page: s.page(r, "Sign in", ""), Next: next, Username: username}
	if blocked, wait := s.logins.Blocked(username); blocked {
		vm.Error = fmt.Sprintf("Too many failed sign-ins for this account. Try again in %d seconds, or ask your instructor to reset the password.", int(wait.Seconds())+1)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.logger.WarnContext(r.Context(), "login throttled", "username", username)
		s.render(w, r, http.StatusTooManyRequests, pages.Login(vm))
		return
	}
	u, err := s.accounts.Login(r.Context(), username, r.PostFormValue("password"))
	if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
		s.logins.Failed(username)
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusUnauthorized, pages.Login(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.logins.Succeeded(username)
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.Error(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionUserKey, u.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if s.sessions != nil {
		if err := s.sessions.Destroy(r.Context()); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// requireLogin sends anonymous requests to the login page (GET) or refuses them (others).
func (s *Server) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user(r) != nil {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.Error(w, r, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in again: your session has ended."))
	})
}

package httpserver

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// Session keys: the user, and the user's session generation at sign-in (a password change or
// disabling the account moves the generation on, which ends every older session).
const (
	sessionUserKey = "user_id"
	sessionGenKey  = "session_gen"
)

// WithAccounts runs the server with accounts: every page but the login page needs a login,
// sessions come from sm and users from acc.
func WithAccounts(sm *scs.SessionManager, acc Accounts) Option {
	return func(s *Server) { s.sessions, s.accounts = sm, acc }
}

// safeNext keeps a post-login redirect on this site. It accepts only a clean local path: it
// starts with one "/", and neither it nor its percent-decoded form holds a control character,
// a backslash, a leading "//" or "/\" (which browsers read as another host, as they do
// "/\t/host" once they drop the tab), or a scheme or host. Anything else gives "/".
func safeNext(next string) string {
	if !cleanLocalPath(next) {
		return "/"
	}
	if dec, err := url.PathUnescape(next); err != nil || !cleanLocalPath(dec) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}

func cleanLocalPath(p string) bool {
	if len(p) > 2048 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, pages.Login(pages.LoginVM{Page: s.page(r, "Sign in", ""), Next: safeNext(r.URL.Query().Get("next"))}))
}

// handleLogin checks the password, renews the session token (so a token fixed before login
// is useless after it) and stores the user and its session generation in the session.
//
// Failed sign-ins are limited twice: per account (or, from a device that has signed in to the
// account before, per that device, so nobody can lock the owner out by failing on purpose),
// and per client address (against trying one password on many accounts).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	vm := pages.LoginVM{Page: s.page(r, "Sign in", ""), Next: next, Username: username}
	addr := clientAddr(r)
	device, known := s.knownDevice(r, username)
	key := "account:" + username
	if known {
		key = "device:" + device + ":" + username
	}
	throttled := func(wait time.Duration, msg string) {
		secs := int(wait.Seconds()) + 1
		vm.Error = fmt.Sprintf(msg, secs)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.logger.WarnContext(r.Context(), "login throttled", "username", username, "addr", addr, "known_device", known)
		s.render(w, r, http.StatusTooManyRequests, pages.Login(vm))
	}
	if !known {
		if blocked, wait := s.addrs.Blocked(addr); blocked {
			throttled(wait, "Too many failed sign-ins from your network address. Try again in %d seconds.")
			return
		}
	}
	if blocked, wait := s.logins.Blocked(key); blocked {
		throttled(wait, "Too many failed sign-ins for this account. Try again in %d seconds, or ask your instructor to reset the password. A browser you have signed in from before is not held up.")
		return
	}
	u, gen, err := s.accounts.Login(r.Context(), username, r.PostFormValue("password"))
	switch domain.ErrorCode(err) {
	case "":
	case domain.EUNAUTHORIZED:
		s.logins.Failed(key)
		if !known {
			s.addrs.Failed(addr)
		}
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusUnauthorized, pages.Login(vm))
		return
	case domain.EFORBIDDEN: // the right password for a disabled account
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusForbidden, pages.Login(vm))
		return
	default:
		s.Error(w, r, err)
		return
	}
	s.logins.Succeeded(key)
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.Error(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionUserKey, u.ID)
	s.sessions.Put(r.Context(), sessionGenKey, gen)
	s.rememberDevice(w, r, username)
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
		if isHTMX(r) {
			// An htmx request fetches a fragment: send the whole page to sign-in, and back to
			// the page the learner was on (not to the fragment's URL) afterwards.
			next := "/"
			if cur, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && cur.Host == r.Host {
				next = safeNext(cur.RequestURI())
			}
			w.Header().Set("HX-Redirect", "/login?next="+url.QueryEscape(next))
			s.Error(w, r, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in again: your session has ended."))
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.Error(w, r, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in again: your session has ended."))
	})
}

package httpserver

import (
	"net/http"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// identify puts the requesting user in the request context: the local profile in
// single-learner mode, otherwise the session's user (none when signed out). Handlers read the
// user from the context only.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.sessions == nil {
			next.ServeHTTP(w, r.WithContext(domain.NewContextWithUser(r.Context(), s.local)))
			return
		}
		id := s.sessions.GetInt64(r.Context(), sessionUserKey)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.accounts.SessionUser(r.Context(), id, s.sessions.GetInt64(r.Context(), sessionGenKey))
		if domain.ErrorCode(err) == domain.ENOTFOUND { // removed, disabled, or its password changed
			_ = s.sessions.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(domain.NewContextWithUser(r.Context(), u)))
	})
}

// user returns the requesting user. Routes behind identify always have one.
func user(r *http.Request) *domain.User {
	return domain.UserFromContext(r.Context())
}

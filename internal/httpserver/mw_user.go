package httpserver

import (
	"net/http"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// identify puts the requesting user in the request context. In single-learner mode that is
// always the local profile; accounts will look up the session here instead, and every
// handler already reads the user from the context only.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := domain.NewContextWithUser(r.Context(), s.local)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// user returns the requesting user. Routes behind identify always have one.
func user(r *http.Request) *domain.User {
	return domain.UserFromContext(r.Context())
}

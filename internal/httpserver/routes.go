package httpserver

import "github.com/go-chi/chi/v5"

// Routes returns the router, for tests that walk every route (chi.Walk).
func (s *Server) Routes() chi.Routes {
	r, _ := s.handler.(chi.Routes)
	return r
}

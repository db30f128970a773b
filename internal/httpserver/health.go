package httpserver

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz reports that the process is alive.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReadyz reports whether the server can serve learners: content loaded, database
// reachable, not shutting down.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !s.ready.Load() {
		http.Error(w, "not ready: starting or shutting down", http.StatusServiceUnavailable)
		return
	}
	if s.catalog == nil || len(s.catalog.Domains) == 0 {
		http.Error(w, "not ready: no content loaded", http.StatusServiceUnavailable)
		return
	}
	if s.readyCheck == nil {
		_, _ = w.Write([]byte("ready\n"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.readyCheck(ctx); err != nil {
		s.logger.Warn("readiness: database unreachable", "error", err)
		http.Error(w, "not ready: database unreachable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

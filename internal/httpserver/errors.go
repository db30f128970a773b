package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

var statusByCode = map[string]int{
	domain.ECONFLICT:     http.StatusConflict,
	domain.EINVALID:      http.StatusBadRequest,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EGONE:         http.StatusGone,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

var titleByCode = map[string]string{
	domain.ECONFLICT:     "Conflict",
	domain.EINVALID:      "That did not work",
	domain.ENOTFOUND:     "Not found",
	domain.EFORBIDDEN:    "Not allowed",
	domain.EUNAUTHORIZED: "Please sign in",
	domain.EGONE:         "Too late",
	domain.EUNAVAILABLE:  "Not available here",
	domain.EINTERNAL:     "Something went wrong",
}

// Error writes err as a page (or, for htmx and API requests, a short text) with the status its
// code maps to. Only internal errors are logged: the others are the user's, not ours.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away mid-request: nobody is left to answer, and nothing is wrong here.
		s.logger.LogAttrs(r.Context(), slog.LevelDebug, "client gone", slog.String("path", r.URL.Path))
		return
	}
	code := domain.ErrorCode(err)
	status, ok := statusByCode[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == domain.EINTERNAL {
		s.logger.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("error", err.Error()))
	}
	s.writeError(w, r, status, titleByCode[code], domain.ErrorMessage(err))
}

func wantsJSON(r *http.Request) bool {
	return r.Header.Get("Accept") == "application/json"
}

package httpserver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/web/components"
)

// maxBodyBytes bounds every request body. kcnaprep's forms are small (the largest is a
// question report's message), so anything bigger is a mistake or an attack.
const maxBodyBytes = 64 << 10

// maxUploadBytes bounds a multipart upload (a roster or question file), which only the handlers
// of file uploads read.
const maxUploadBytes = 5 << 20

// limitBody caps the request body at maxBodyBytes and parses forms before any handler runs,
// so an oversized body gets one clear 413 instead of whatever field error a handler would
// make of a truncated form.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		limit := int64(maxBodyBytes)
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/form-data") {
			limit = maxUploadBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.writeError(w, r, http.StatusRequestEntityTooLarge, "Too large",
						fmt.Sprintf("The form sent is larger than %d KiB, the most this site accepts. Shorten it and send it again.", tooBig.Limit>>10))
					return
				}
				s.writeError(w, r, http.StatusBadRequest, "That did not work", "The form sent could not be read.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// allowedMethods lists the methods the router serves at the request's path, HEAD wherever
// GET is (GetHead answers it).
func allowedMethods(r *http.Request) []string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.Routes == nil {
		return nil
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if rctx.Routes.Match(chi.NewRouteContext(), m, path) || (m == http.MethodHead && len(out) > 0 && out[0] == http.MethodGet) {
			out = append(out, m)
		}
	}
	return out
}

// handleMethodNotAllowed answers 405 with the Allow header (RFC 9110 requires it).
func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allow := allowedMethods(r)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeError(w, r, http.StatusMethodNotAllowed, "Not allowed",
		fmt.Sprintf("%s is not allowed on %s; it answers %s.", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// writeError writes a status and message as Error does, for statuses no domain code maps to.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	if r.Header.Get("HX-Request") == "true" || wantsJSON(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = components.ErrorPage(s.page(r, title, ""), status, msg).Render(r.Context(), w)
}

package httpserver

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/components"
)

// page returns the layout data every page needs.
func (s *Server) page(r *http.Request, title, nav string) components.Page {
	p := components.Page{
		Title: title,
		Nav:   nav,
		Assets: components.Assets{
			CSS:       s.assets.URL("app.css"),
			Highlight: s.assets.URL("highlight.css"),
			JS:        s.assets.URL("app.js"),
			HTMX:      s.assets.URL("vendor/htmx.min.js"),
			Logo:      s.assets.URL("logo.svg"),
		},
	}
	if u := user(r); u != nil {
		p.User = u.DisplayName
		p.Staff = u.Role == domain.RoleInstructor || u.Role == domain.RoleAdmin
		p.Logout = s.sessions != nil
	}
	return p
}

// render renders a component into a buffer first, so a rendering error becomes a clean error
// page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	buf.Grow(32 << 10) // most pages are 10-30 KB: one allocation instead of a doubling series
	if err := c.Render(r.Context(), &buf); err != nil {
		s.Error(w, r, fmt.Errorf("render %s: %w", r.URL.Path, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// isHTMX reports whether the request came from htmx and expects a fragment.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

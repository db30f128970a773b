package httpserver

import (
	"net/http"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	vm := pages.SearchVM{Page: s.page(r, "Search", "search"), Query: q}
	vm.Page.Query = q
	hits, err := s.study.SearchLessons(r.Context(), q, 30)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	for _, h := range hits {
		l := s.catalog.Lesson(h.LessonID)
		if l == nil { // indexed from content that has since changed: skip
			continue
		}
		vm.Hits = append(vm.Hits, pages.SearchHit{Title: l.Title, URL: l.URL(), Domain: l.Domain.Title, Snippet: segments(h.Snippet)})
	}
	s.render(w, r, http.StatusOK, pages.Search(vm))
}

// segments splits a snippet with match markers into plain and highlighted pieces.
func segments(snippet string) []pages.Segment {
	var out []pages.Segment
	for snippet != "" {
		i := strings.Index(snippet, domain.HitStart)
		if i < 0 {
			out = append(out, pages.Segment{Text: snippet})
			break
		}
		if i > 0 {
			out = append(out, pages.Segment{Text: snippet[:i]})
		}
		snippet = snippet[i+len(domain.HitStart):]
		j := strings.Index(snippet, domain.HitEnd)
		if j < 0 {
			out = append(out, pages.Segment{Text: snippet, Hit: true})
			break
		}
		out = append(out, pages.Segment{Text: snippet[:j], Hit: true})
		snippet = snippet[j+len(domain.HitEnd):]
	}
	return out
}

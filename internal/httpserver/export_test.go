package httpserver

import (
	"bytes"
	"net/http/httptest"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// LessonUncached renders lesson id for u the way the handler did before lessons were cached:
// the whole page in one go. Tests compare it with what the cached handler serves.
func (s *Server) LessonUncached(u *domain.User, id string) ([]byte, error) {
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(domain.NewContextWithUser(r.Context(), u))
	l := s.catalog.Lesson(id)
	at, done, err := s.study.LessonCompletedAt(r.Context(), u.ID, l.ID)
	if err != nil {
		return nil, err
	}
	vm := s.lessonVM(l)
	vm.Page = s.page(r, l.Title, "home")
	vm.Complete = completeVM(l, done, at)
	var buf bytes.Buffer
	err = pages.Lesson(vm).Render(r.Context(), &buf)
	return buf.Bytes(), err
}

package httpserver_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kcnaprep/kcnaprep/content"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"github.com/kcnaprep/kcnaprep/quizzes"
)

// BenchmarkLessonPage renders a real lesson through the whole handler stack (no network).
func BenchmarkLessonPage(b *testing.B) {
	c := testenv.MustLoad(b, catalog.Sources{Content: content.FS, Quizzes: quizzes.FS}) // the embedded lessons; no labs
	s := testenv.MustNewServer(b, testenv.WithContent(c), testenv.WithLogger(slog.New(slog.DiscardHandler)))
	path := c.Catalog.Lessons[3].URL()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			s.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

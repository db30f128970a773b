package httpserver_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// formRoutes are the forms a learner posts, and the query of the practice filter. %E is
// replaced by the open exam's id.
var formRoutes = []string{
	"POST /practice/q/al-one-001",
	"POST /review/q/al-one-001",
	"POST /review/q/al-one-001/rate",
	"POST /exams/%E/q/1/answer",
	"POST /exams/%E/q/2/flag",
	"POST /lessons/alpha/01-first/complete",
	"POST /questions/al-one-001/report",
	"GET /practice/next?",
	"GET /search?",
}

// FuzzForms posts arbitrary form bodies (and queries) to every form a learner can send: the
// server must answer each with a page or a clear 4xx, never a 5xx or a panic.
func FuzzForms(f *testing.F) {
	seeds := [][2]any{
		{0, "choice=0&token=abc"}, {0, "choice=0&choice=1&choice=1&token=t"}, {0, "choice=-1"}, {0, "choice=99999999999999999999"},
		{1, "choice=2&token=x"}, {2, "rating=again&reps=0"}, {2, "rating=5&reps=-3"},
		{3, "choice=0&choice=1&choice=2"}, {3, "choice=%zz"}, {4, "flagged=1"}, {5, "done=1"}, {5, "done=maybe"},
		{6, "kind=wrong-key&message=hi"}, {6, "kind=nope&message=" + strings.Repeat("x", 5000)},
		{7, "domain=alpha&competency=two&difficulty=3&weakest=1"}, {7, "difficulty=0"}, {8, "q=%22+OR+NEAR("},
	}
	for _, s := range seeds {
		f.Add(s[0].(int), s[1].(string))
	}
	hs := testenv.MustNewServer(f, testenv.WithLogger(slog.New(slog.DiscardHandler))).Handler
	rec := httptest.NewRecorder()
	hs.ServeHTTP(rec, httptest.NewRequest("POST", "/exams", strings.NewReader("")))
	exam := strings.TrimPrefix(rec.Header().Get("Location"), "/exams/")
	if rec.Code != http.StatusSeeOther || exam == "" {
		f.Fatalf("start exam = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	f.Fuzz(func(t *testing.T, route int, body string) {
		if route < 0 {
			route = -route
		}
		method, path, _ := strings.Cut(formRoutes[route%len(formRoutes)], " ")
		path = strings.ReplaceAll(path, "%E", exam)
		var req *http.Request
		if method == "GET" {
			req = httptest.NewRequest(method, "/", nil)
			req.URL.Path, _, _ = strings.Cut(path, "?")
			req.URL.RawQuery = body
		} else {
			req = httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		hs.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q = %d\n%.500s", method, path, body, rec.Code, rec.Body.String())
		}
	})
}

package httpserver_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// The lesson page is rendered once per lesson and completed per request with the learner's
// own parts. Each learner gets exactly the page a whole render would give them (their name,
// their progress, staff links only for staff), a 304 only for their own current page, and the
// security headers on every answer (issue 15, point 2).
func TestLessonCacheKeepsPagesPerUser(t *testing.T) {
	s := testenv.MustOpenServer(t, testenv.WithAccounts())
	hash, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]*domain.User{}
	for name, role := range map[string]domain.Role{"ana": domain.RoleLearner, "ben": domain.RoleLearner, "cleo": domain.RoleInstructor} {
		users[name] = testenv.MustCreateAccount(t, s.DB, name, strings.ToUpper(name), role, hash)
	}
	const lesson, path = "alpha/01-first", "/lessons/alpha/01-first"
	clients := map[string]*http.Client{}
	for name := range users {
		clients[name] = client()
		if resp := login(t, clients[name], s.Server.URL, name, "correct horse"); resp.StatusCode != 303 {
			t.Fatalf("login %s: %d", name, resp.StatusCode)
		}
	}
	get := func(name, inm string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.Server.URL+path, nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := clients[name].Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	// check fetches the page for name, compares it with a whole render and returns its ETag.
	check := func(name string, want, wantNot []string) string {
		t.Helper()
		resp, body := get(name, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", name, resp.StatusCode)
		}
		whole, err := s.Handler.LessonUncached(users[name], lesson)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(whole) {
			t.Errorf("%s: the cached page differs from a whole render:\n%s\n---\n%s", name, body, whole)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", name, w)
			}
		}
		for _, w := range wantNot {
			if strings.Contains(body, w) {
				t.Errorf("%s: page has %q", name, w)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", name, csp)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "private, no-cache" {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
		return resp.Header.Get("ETag")
	}
	if resp, err := clients["ana"].PostForm(s.Server.URL+path+"/complete", url.Values{"done": {"1"}}); err != nil || resp.StatusCode != 303 {
		t.Fatalf("mark complete: %v %v", resp, err)
	}
	ana := check("ana", []string{`title="Signed in as">ANA<`, `data-testid="lesson-completed"`}, []string{"BEN", `href="/reports"`, `data-testid="mark-complete"`})
	ben := check("ben", []string{`title="Signed in as">BEN<`, `data-testid="mark-complete"`}, []string{"ANA", `href="/reports"`, `data-testid="lesson-completed"`})
	cleo := check("cleo", []string{`title="Signed in as">CLEO<`, `href="/reports"`, `data-testid="mark-complete"`}, nil)
	if ana == "" || ana == ben || ben == cleo || ana == cleo {
		t.Fatalf("ETags ana %s ben %s cleo %s: each learner's page needs its own", ana, ben, cleo)
	}

	// Revalidation: 304 for one's own current page, with the security headers and no body.
	resp, body := get("ana", ana)
	if resp.StatusCode != 304 || body != "" || resp.Header.Get("ETag") != ana || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("ana revalidating: %d %q ETag %s CSP %q", resp.StatusCode, body, resp.Header.Get("ETag"), resp.Header.Get("Content-Security-Policy"))
	}
	if resp, _ := get("ana", `"other", W/`+ana); resp.StatusCode != 304 {
		t.Errorf("a weak tag in a list: %d, want 304", resp.StatusCode)
	}
	// Another learner's tag never gets a 304: ben gets his own page.
	resp, body = get("ben", ana)
	if resp.StatusCode != 200 || !strings.Contains(body, ">BEN<") || strings.Contains(body, "ANA") || strings.Contains(body, `data-testid="lesson-completed"`) {
		t.Errorf("ben with ana's ETag: %d, his own page? %v", resp.StatusCode, strings.Contains(body, ">BEN<"))
	}
	// A change of progress changes the tag: the old one no longer matches.
	if resp, err := clients["ana"].PostForm(s.Server.URL+path+"/complete", url.Values{"done": {"0"}}); err != nil || resp.StatusCode != 303 {
		t.Fatalf("mark incomplete: %v %v", resp, err)
	}
	resp, body = get("ana", ana)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == ana || !strings.Contains(body, `data-testid="mark-complete"`) {
		t.Errorf("ana after marking the lesson not done, with the old ETag: %d %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if again := check("ana", []string{`data-testid="mark-complete"`}, []string{`data-testid="lesson-completed"`}); again == ana {
		t.Error("ETag unchanged after progress changed")
	}
	// HEAD: the headers of the page, no body.
	req, _ := http.NewRequest("HEAD", s.Server.URL+path, nil)
	resp, err = clients["ben"].Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength < 1000 || resp.Header.Get("ETag") != ben {
		t.Errorf("HEAD: %d length %d ETag %s", resp.StatusCode, resp.ContentLength, resp.Header.Get("ETag"))
	}
}

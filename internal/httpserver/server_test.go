package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

type env struct {
	t   *testing.T
	srv *httptest.Server
	hs  *httpserver.Server
	db  *store.DB
	c   *http.Client
}

// newEnv starts a real server on a loopback port over generated content and a real SQLite file.
func newEnv(t *testing.T, overrides map[string]string) *env {
	t.Helper()
	return envOf(t, testenv.MustOpenServer(t, testenv.WithContent(testenv.MustLoadContent(t, overrides))))
}

func envOf(t *testing.T, s *testenv.Server) *env {
	return &env{t: t, srv: s.Server, hs: s.Handler, db: s.DB, c: s.NewClient()}
}

func (e *env) do(method, path string, form url.Values, hdr map[string]string) *http.Response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) doc(path string, wantStatus int) *goquery.Document {
	e.t.Helper()
	resp := e.do("GET", path, nil, nil)
	if resp.StatusCode != wantStatus {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("GET %s = %d, want %d\n%s", path, resp.StatusCode, wantStatus, b)
	}
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func TestDashboardShowsDomainsWeightsAndProgress(t *testing.T) {
	e := newEnv(t, nil)
	d := e.doc("/", 200)
	cards := d.Find(`[data-testid="domain-card"]`)
	if cards.Length() != 2 {
		t.Fatalf("%d domain cards", cards.Length())
	}
	if got := cards.First().Find(".pill").Text(); got != "60%" {
		t.Errorf("alpha weight pill = %q", got)
	}
	if got := d.Find(`[data-testid="lessons-done"]`).Text(); got != "0 / 4" {
		t.Errorf("lessons done = %q", got)
	}
	if href, _ := d.Find(`[data-testid="continue-lesson"]`).Attr("href"); href != "/lessons/alpha/01-first" {
		t.Errorf("continue = %q", href)
	}
	// Complete the first lesson: the dashboard counts it, per domain and competency.
	resp := e.do("POST", "/lessons/alpha/01-first/complete", url.Values{"done": {"1"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/lessons/alpha/01-first#complete-box" {
		t.Fatalf("complete = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	d = e.doc("/", 200)
	if got := d.Find(`[data-testid="lessons-done"]`).Text(); got != "1 / 4" {
		t.Errorf("after completing, lessons done = %q", got)
	}
	if got := d.Find(`[data-domain="alpha"] [data-testid="domain-progress"]`).Text(); got != "1 / 2" {
		t.Errorf("alpha progress = %q", got)
	}
	if got := d.Find(`[data-domain="alpha"] .comp-list li span.muted`).Text(); got != "1/2" {
		t.Errorf("competency progress = %q", got)
	}
	if href, _ := d.Find(`[data-testid="continue-lesson"]`).Attr("href"); href != "/lessons/alpha/02-second" {
		t.Errorf("continue after completing = %q", href)
	}
}

func TestLessonPage(t *testing.T) {
	e := newEnv(t, map[string]string{
		"content/alpha/02-second.md": testcontent.Lesson("Second lesson", "one", "Raw <script>alert(1)</script> html.\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
	})
	d := e.doc("/lessons/alpha/02-second", 200)
	if got := d.Find(`[data-testid="lesson-title"]`).Text(); got != "Second lesson" {
		t.Errorf("title = %q", got)
	}
	body := d.Find(`[data-testid="lesson-body"]`)
	if body.Find("script").Length() != 0 || strings.Contains(body.Text(), "alert(1)") && body.Find("script").Length() > 0 {
		t.Error("raw HTML rendered")
	}
	if html, _ := body.Html(); strings.Contains(html, "<script") {
		t.Errorf("script tag in lesson body")
	}
	if body.Find("table").Length() != 1 {
		t.Error("no table")
	}
	if body.Find("pre.chroma").Length() != 1 || body.Find("pre.chroma .nt").Length() == 0 {
		t.Error("code not highlighted")
	}
	if body.Find("h2#exam-traps a.anchor").Length() != 1 {
		t.Error("heading anchor missing")
	}
	if body.Find("blockquote.callout-trap .callout-title").Text() != "Exam trap" {
		t.Error("trap callout missing")
	}
	if toc := d.Find(".toc a"); toc.Length() != 3 || toc.First().AttrOr("href", "") != "#how-it-works" {
		t.Errorf("toc has %d entries", toc.Length())
	}
	if prev := d.Find(`[data-testid="prev-lesson"]`).AttrOr("href", ""); prev != "/lessons/alpha/01-first" {
		t.Errorf("prev = %q", prev)
	}
	if next := d.Find(`[data-testid="next-lesson"]`).AttrOr("href", ""); next != "/lessons/beta/01-third" {
		t.Errorf("next = %q", next)
	}
	if d.Find(".objectives li").Length() != 2 || d.Find("#refs-h + ul a").AttrOr("href", "") != "https://kubernetes.io/docs/concepts/workloads/pods/" {
		t.Error("objectives or references missing")
	}
	// Questions that link back to the lesson are listed on the first lesson.
	if n := e.doc("/lessons/alpha/01-first", 200).Find(`#practice-h ~ ul li`).Length(); n != 6 {
		t.Errorf("related questions = %d, want 6", n)
	}
	e.doc("/lessons/alpha/99-nope", 404)
	e.doc("/domains/nope", 404)
}

func TestMarkCompleteWithHTMXIsIdempotent(t *testing.T) {
	e := newEnv(t, nil)
	hx := map[string]string{"HX-Request": "true"}
	for range 2 {
		resp := e.do("POST", "/lessons/beta/01-third/complete", url.Values{"done": {"1"}}, hx)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), `data-testid="lesson-completed"`) || strings.Contains(string(b), "<html") {
			t.Fatalf("htmx complete = %d\n%s", resp.StatusCode, b)
		}
	}
	d := e.doc("/domains/beta", 200)
	if d.Find(".pill-ok").Length() != 1 {
		t.Error("domain page does not show the completed lesson")
	}
	resp := e.do("POST", "/lessons/beta/01-third/complete", url.Values{"done": {"0"}}, hx)
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `data-testid="mark-complete"`) {
		t.Errorf("unmark response:\n%s", b)
	}
	if resp := e.do("POST", "/lessons/beta/01-third/complete", url.Values{"done": {"maybe"}}, nil); resp.StatusCode != 400 {
		t.Errorf("bad done value = %d", resp.StatusCode)
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do("POST", "/lessons/alpha/01-first/complete", url.Values{"done": {"1"}}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST = %d, want 403", resp.StatusCode)
	}
	resp = e.do("POST", "/lessons/alpha/01-first/complete", url.Values{"done": {"1"}}, map[string]string{"Origin": "https://evil.example"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign-origin POST = %d, want 403", resp.StatusCode)
	}
	done, _ := e.db.CompletedLessons(context.Background(), 1)
	if len(done) != 0 {
		t.Error("refused request changed state")
	}
	// Same-origin browser request is accepted.
	resp = e.do("POST", "/lessons/alpha/01-first/complete", url.Values{"done": {"1"}}, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.srv.URL})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin POST = %d", resp.StatusCode)
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t, map[string]string{
		"content/beta/02-fourth.md": testcontent.Lesson("Fourth lesson", "two", "The kubelet talks to containerd through the CRI."),
	})
	d := e.doc("/search?q=containerd", 200)
	hits := d.Find(`[data-testid="search-results"] li`)
	if hits.Length() != 1 || hits.Find("a").AttrOr("href", "") != "/lessons/beta/02-fourth" {
		t.Fatalf("hits = %d", hits.Length())
	}
	if hits.Find("mark").First().Text() != "containerd" {
		t.Errorf("no highlighted term: %q", hits.Find("p").Text())
	}
	if e.doc("/search?q=zzzznothing", 200).Find(`[data-testid="no-results"]`).Length() != 1 {
		t.Error("no 'no results' message")
	}
	e.doc(`/search?q=%22%20OR%20NEAR(`, 200)
}

func TestOperationsEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do("GET", "/healthz", nil, nil); r.StatusCode != 200 {
		t.Errorf("healthz = %d", r.StatusCode)
	}
	if r := e.do("GET", "/readyz", nil, nil); r.StatusCode != 200 {
		t.Errorf("readyz = %d", r.StatusCode)
	}
	e.hs.SetReady(false)
	if r := e.do("GET", "/readyz", nil, nil); r.StatusCode != 503 {
		t.Errorf("readyz while not ready = %d", r.StatusCode)
	}
	e.hs.SetReady(true)
	e.db.Close()
	if r := e.do("GET", "/readyz", nil, nil); r.StatusCode != 503 {
		t.Errorf("readyz with closed database = %d", r.StatusCode)
	}
	e.doc("/", 500) // an internal error renders a page, and is logged
	r := e.do("GET", "/metrics", nil, nil)
	b, _ := io.ReadAll(r.Body)
	for _, want := range []string{`kcnaprep_http_requests_total{code="200",method="GET",route="/healthz"} 1`, "go_goroutines", "process_resident_memory_bytes", `route="/"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/", nil, nil)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	d, _ := goquery.NewDocumentFromReader(r.Body)
	css := d.Find(`link[rel="stylesheet"]`).First().AttrOr("href", "")
	if !strings.HasPrefix(css, "/static/app.css?v=") {
		t.Fatalf("css href = %q", css)
	}
	r = e.do("GET", css, nil, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("css = %d %q %q", r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"))
	}
	if r := e.do("GET", "/static/app.css?v=old", nil, nil); r.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash cached: %q", r.Header.Get("Cache-Control"))
	}
	if r := e.do("GET", "/static/nope.js", nil, nil); r.StatusCode != 404 {
		t.Errorf("missing asset = %d", r.StatusCode)
	}
	// Inline styles would be blocked by the CSP: pages must not use them.
	if html, _ := d.Html(); strings.Contains(html, "style=") {
		t.Error("page uses an inline style attribute, which the CSP blocks")
	}
}

// TestNewNeedsItsServices: there is no implicit default trainer or study service; a server
// built without them is an error, not a server that reaches for a database of its own.
func TestNewNeedsItsServices(t *testing.T) {
	cat := testenv.MustLoadContent(t, nil).Catalog
	if _, err := httpserver.New(cat, httpserver.WithLocalUser(&domain.User{ID: 1, Username: "local"})); err == nil {
		t.Error("New without WithTrainer and WithStudy succeeded")
	}
}

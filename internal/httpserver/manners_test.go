package httpserver_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// HEAD answers as GET does, without a body (issue 14, point 7).
func TestHeadAnswersLikeGet(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/healthz", "/readyz", "/", "/exams", "/practice", "/review", "/domains/alpha",
		"/lessons/alpha/01-first", "/search?q=pod", "/reports", "/static/app.css"} {
		get := e.do("GET", path, nil, nil)
		head := e.do("HEAD", path, nil, nil)
		body, _ := io.ReadAll(head.Body)
		if head.StatusCode != get.StatusCode {
			t.Errorf("HEAD %s = %d, GET = %d", path, head.StatusCode, get.StatusCode)
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s sent a %d-byte body", path, len(body))
		}
		if got, want := head.Header.Get("Content-Type"), get.Header.Get("Content-Type"); got != want {
			t.Errorf("HEAD %s Content-Type %q, GET %q", path, got, want)
		}
	}
}

// A method a route does not serve gets 405 and an Allow header naming the ones it does.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ method, path, allow string }{
		{"POST", "/healthz", "GET, HEAD"},
		{"DELETE", "/", "GET, HEAD"},
		{"PUT", "/exams", "GET, HEAD, POST"},
		{"GET", "/logout", "POST"},
		{"PATCH", "/exams/1/submit", "POST"},
	} {
		resp := e.do(tc.method, tc.path, nil, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s = %d, want 405", tc.method, tc.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

// A body over the limit gets 413 and says so, rather than a field error from the handler.
func TestOversizedBodyIs413(t *testing.T) {
	e := newEnv(t, nil)
	big := url.Values{"kind": {"wrong-key"}, "message": {strings.Repeat("x", 2<<20)}}
	resp := e.do("POST", "/questions/al-one-002/report", big, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB report = %d, want 413\n%.300s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), "larger than") {
		t.Errorf("413 page does not say what was wrong:\n%.500s", body)
	}
	// htmx gets the message as text.
	resp = e.do("POST", "/practice/q/al-one-002", big, map[string]string{"HX-Request": "true"})
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "KiB") {
		t.Errorf("htmx 2 MiB answer = %d %q", resp.StatusCode, body)
	}
	// A normal-sized report still works.
	if resp := e.do("POST", "/questions/al-one-002/report", url.Values{"kind": {"wrong-key"}, "message": {"The answer key is off."}}, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("normal report = %d", resp.StatusCode)
	}
}

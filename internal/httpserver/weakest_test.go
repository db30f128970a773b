package httpserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// "Weakest areas" practice keeps to the competency the learner chose, and a competency from
// another domain is refused with a message saying so (issue 14, point 8).
func TestWeakestPracticeHonoursChosenCompetency(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 30 {
		resp := e.do("GET", "/practice/next?weakest=1&competency=one", nil, nil)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/practice/q/al-one-") {
			t.Fatalf("draw %d: weakest within competency one = %d %q, want a question of competency one", i, resp.StatusCode, loc)
		}
		if !strings.Contains(loc, "competency=one") || !strings.Contains(loc, "weakest=1") {
			t.Errorf("draw %d: the filter was dropped from %q", i, loc)
		}
	}
	for _, path := range []string{"/practice/next?weakest=1&domain=beta&competency=one", "/practice/next?domain=beta&competency=one", "/practice?domain=beta&competency=one"} {
		resp := e.do("GET", path, nil, map[string]string{"HX-Request": "true"})
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `belongs to the domain "alpha"`) {
			t.Errorf("GET %s = %d %q, want 400 naming the competency's domain", path, resp.StatusCode, body)
		}
	}
}

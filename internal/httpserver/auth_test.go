package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// accountsEnv starts a server with accounts "ana" and "ben" (password "correct horse").
func accountsEnv(t *testing.T, opts ...httpserver.Option) (*httptest.Server, *store.DB) {
	t.Helper()
	s := testenv.MustOpenServer(t, testenv.WithAccounts(), testenv.WithHTTPOptions(opts...))
	hash, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ana", "ben"} {
		testenv.MustCreateAccount(t, s.DB, n, strings.ToUpper(n), domain.RoleLearner, hash)
	}
	return s.Server, s.DB
}

func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func login(t *testing.T, c *http.Client, base, user, pw string) *http.Response {
	t.Helper()
	resp, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pw}, "next": {"/domains/alpha"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestAccountsLoginSessionAndIsolation(t *testing.T) {
	srv, db := accountsEnv(t)
	ana := client()
	resp, _ := ana.Get(srv.URL + "/")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2F" {
		t.Fatalf("anonymous dashboard = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := ana.PostForm(srv.URL+"/lessons/alpha/01-first/complete", url.Values{"done": {"1"}}); resp.StatusCode != 401 {
		t.Errorf("anonymous POST = %d", resp.StatusCode)
	}
	// A token planted before login (session fixation) must not survive it.
	u, _ := url.Parse(srv.URL)
	ana.Jar.SetCookies(u, []*http.Cookie{{Name: "kcnaprep_session", Value: "planted-by-attacker"}})
	resp, err := ana.PostForm(srv.URL+"/login", url.Values{"username": {"ana"}, "password": {"wrong password"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 401 || !strings.Contains(string(b), "Wrong username or password.") {
		t.Fatalf("wrong password = %d", resp.StatusCode)
	}
	if resp, _ := ana.PostForm(srv.URL+"/login", url.Values{"username": {"nobody"}, "password": {"correct horse"}}); resp.StatusCode != 401 {
		t.Errorf("unknown user = %d", resp.StatusCode)
	}
	resp = login(t, ana, srv.URL, "ana", "correct horse")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/domains/alpha" {
		t.Fatalf("login = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var token string
	for _, c := range ana.Jar.Cookies(u) {
		if c.Name == "kcnaprep_session" {
			token = c.Value
		}
	}
	if token == "" || token == "planted-by-attacker" {
		t.Fatalf("session token after login = %q: not renewed", token)
	}
	if resp, _ := ana.Get(srv.URL + "/"); resp.StatusCode != 200 {
		t.Fatalf("signed-in dashboard = %d", resp.StatusCode)
	}
	if resp, _ := ana.PostForm(srv.URL+"/lessons/alpha/01-first/complete", url.Values{"done": {"1"}}); resp.StatusCode != 303 {
		t.Fatalf("complete = %d", resp.StatusCode)
	}
	if resp, _ := ana.PostForm(srv.URL+"/exams", nil); resp.Header.Get("Location") != "/exams/1" {
		t.Fatalf("ana's exam: %s", resp.Header.Get("Location"))
	}
	// Ben sees none of Ana's progress and cannot open her exam.
	ben := client()
	login(t, ben, srv.URL, "ben", "correct horse")
	resp, _ = ben.Get(srv.URL + "/")
	b, _ = io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `data-testid="lessons-done">0 / 4<`) || !strings.Contains(string(b), ">BEN<") {
		t.Errorf("ben's dashboard shows someone else's progress")
	}
	for _, p := range []string{"/exams/1", "/exams/1/q/1", "/exams/1/result"} {
		if resp, _ := ben.Get(srv.URL + p); resp.StatusCode != 404 {
			t.Errorf("ben GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := ben.PostForm(srv.URL+"/exams/1/q/1/answer", url.Values{"choice": {"0"}}); resp.StatusCode != 404 {
		t.Errorf("ben answers ana's exam = %d", resp.StatusCode)
	}
	if resp, _ := ben.Get(srv.URL + "/reports"); resp.StatusCode != 403 {
		t.Errorf("learner sees reports = %d", resp.StatusCode)
	}
	// Sign out: the session is gone from the store too.
	if resp, _ := ana.PostForm(srv.URL+"/logout", nil); resp.StatusCode != 303 {
		t.Fatalf("logout = %d", resp.StatusCode)
	}
	if _, found, _ := db.Sessions().FindCtx(context.Background(), token); found {
		t.Error("session still stored after logout")
	}
	if resp, _ := ana.Get(srv.URL + "/"); resp.StatusCode != 303 {
		t.Errorf("after logout dashboard = %d", resp.StatusCode)
	}
	// An open redirect through next= is refused.
	evil := client()
	resp, _ = evil.PostForm(srv.URL+"/login", url.Values{"username": {"ana"}, "password": {"correct horse"}, "next": {"//evil.example/x"}})
	if resp.Header.Get("Location") != "/" {
		t.Errorf("next=//evil redirected to %q", resp.Header.Get("Location"))
	}
}

// After five wrong passwords an account refuses even the right one for a while (429 with
// Retry-After), while other accounts sign in as usual.
func TestLoginThrottledPerAccount(t *testing.T) {
	srv, _ := accountsEnv(t)
	for i := range 5 {
		if resp := login(t, client(), srv.URL, "ana", "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp := login(t, client(), srv.URL, "ANA", "correct horse")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth try: status %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := login(t, client(), srv.URL, "ben", "correct horse"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account: status %d, want 303", resp.StatusCode)
	}
}

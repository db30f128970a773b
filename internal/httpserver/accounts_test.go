package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
)

func signedIn(t *testing.T, c *http.Client, base string) bool {
	t.Helper()
	resp, err := c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// A password change ends every session of the account, in the database (issue 14, point 4).
func TestPasswordChangeEndsSessions(t *testing.T) {
	srv, db := accountsEnv(t)
	ctx := context.Background()
	a1, a2, b := client(), client(), client()
	for _, c := range []*http.Client{a1, a2} {
		if resp := login(t, c, srv.URL, "ana", "correct horse"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login = %d", resp.StatusCode)
		}
	}
	login(t, b, srv.URL, "ben", "correct horse")
	if !signedIn(t, a1, srv.URL) || !signedIn(t, a2, srv.URL) || !signedIn(t, b, srv.URL) {
		t.Fatal("not signed in after login")
	}
	hash, _ := auth.HashPassword("a brand new secret")
	if err := db.SetPassword(ctx, "ana", hash); err != nil {
		t.Fatal(err)
	}
	if signedIn(t, a1, srv.URL) || signedIn(t, a2, srv.URL) {
		t.Error("ana's sessions survived her password change")
	}
	if !signedIn(t, b, srv.URL) {
		t.Error("ben's session ended with ana's password change")
	}
	if resp := login(t, a1, srv.URL, "ana", "a brand new secret"); resp.StatusCode != http.StatusSeeOther || !signedIn(t, a1, srv.URL) {
		t.Errorf("sign-in with the new password = %d", resp.StatusCode)
	}
}

// A disabled account cannot sign in and its sessions end; enabling it lets it in again.
func TestDisabledAccount(t *testing.T) {
	srv, db := accountsEnv(t)
	ctx := context.Background()
	a := client()
	login(t, a, srv.URL, "ana", "correct horse")
	if err := db.SetDisabled(ctx, "ana", true); err != nil {
		t.Fatal(err)
	}
	if signedIn(t, a, srv.URL) {
		t.Error("a disabled account's session still works")
	}
	resp, err := a.PostForm(srv.URL+"/login", url.Values{"username": {"ana"}, "password": {"correct horse"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "disabled") {
		t.Errorf("disabled sign-in = %d, want 403 saying the account is disabled", resp.StatusCode)
	}
	if err := db.SetDisabled(ctx, "ana", false); err != nil {
		t.Fatal(err)
	}
	if resp := login(t, a, srv.URL, "ana", "correct horse"); resp.StatusCode != http.StatusSeeOther || !signedIn(t, a, srv.URL) {
		t.Errorf("enabled sign-in = %d", resp.StatusCode)
	}
	// Deleting the user ends the session too.
	if err := db.DeleteUser(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	if signedIn(t, a, srv.URL) {
		t.Error("a deleted user's session still works")
	}
}

// Failing on purpose cannot lock the owner out: a browser that signed in to the account
// before is limited on its own (issue 14, point 4).
func TestThrottleCannotLockOwnerOut(t *testing.T) {
	srv, _ := accountsEnv(t)
	owner := client()
	if resp := login(t, owner, srv.URL, "ana", "correct horse"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first login = %d", resp.StatusCode)
	}
	if _, err := owner.PostForm(srv.URL+"/logout", nil); err != nil {
		t.Fatal(err)
	}
	attacker := client()
	for range 6 {
		login(t, attacker, srv.URL, "ana", "wrong password")
	}
	if resp := login(t, attacker, srv.URL, "ana", "correct horse"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("attacker after 6 failures = %d, want 429 (the per-account limit)", resp.StatusCode)
	}
	if resp := login(t, owner, srv.URL, "ana", "correct horse"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("owner's known browser = %d, want 303: locked out by someone else's failures", resp.StatusCode)
	}
	// A device known for ana is not known for ben.
	for range 6 {
		login(t, owner, srv.URL, "ben", "wrong password")
	}
	if resp := login(t, owner, srv.URL, "ben", "correct horse"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("ana's device on ben's account = %d, want 429", resp.StatusCode)
	}
}

// One address trying a password on many accounts is slowed, though no single account failed
// often. The server here allows an address 3 failures (30 by default) to keep the test short.
func TestThrottlePerAddress(t *testing.T) {
	srv, _ := accountsEnv(t, httpserver.WithAddressLimit(3, time.Hour))
	c := client()
	for i, name := range []string{"sprayed-a", "sprayed-b", "sprayed-c"} {
		if resp := login(t, c, srv.URL, name, "Winter2026!"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	for _, name := range []string{"sprayed-d", "ana"} {
		if resp := login(t, c, srv.URL, name, "correct horse"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("sign-in to %s from the sprayed address = %d, want 429", name, resp.StatusCode)
		}
	}
}

// After sign-in the learner lands where they meant to go: the page they asked for, or, when an
// htmx request found the session over, the page they were on (issue 14, point 5).
func TestSignInLandsWhereMeant(t *testing.T) {
	srv, _ := accountsEnv(t)
	c := client()
	resp, err := c.Get(srv.URL + "/domains/alpha?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc != "/login?next=%2Fdomains%2Falpha%3Fx%3D1" {
		t.Fatalf("anonymous GET sent to %q", loc)
	}
	resp, err = c.Get(srv.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `name="next" value="/domains/alpha?x=1"`) {
		t.Fatalf("login form does not carry next:\n%s", body)
	}
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"username": {"ana"}, "password": {"correct horse"}, "next": {"/domains/alpha?x=1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != "/domains/alpha?x=1" {
		t.Errorf("after sign-in: %d %q", resp.StatusCode, got)
	}

	// An htmx request without a session: the whole page goes to sign-in, and back to the page.
	req, _ := http.NewRequest("POST", srv.URL+"/practice/q/al-one-001", strings.NewReader("choice=0"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", srv.URL+"/practice/q/al-one-001?domain=alpha")
	resp, err = client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("HX-Redirect"); resp.StatusCode != http.StatusUnauthorized || got != "/login?next=%2Fpractice%2Fq%2Fal-one-001%3Fdomain%3Dalpha" {
		t.Errorf("htmx without session: %d HX-Redirect %q", resp.StatusCode, got)
	}
	// A current URL on another site is not followed.
	req.Header.Set("HX-Current-URL", "https://evil.example/x")
	req.Body = io.NopCloser(strings.NewReader("choice=0"))
	resp, err = client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("HX-Redirect"); got != "/login?next=%2F" {
		t.Errorf("foreign HX-Current-URL: HX-Redirect %q", got)
	}
}

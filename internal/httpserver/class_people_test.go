package httpserver_test

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"golang.org/x/crypto/bcrypt"
)

func do(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func upload(t *testing.T, c *http.Client, u, filename, content string) (int, string) {
	t.Helper()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("roster", filename)
	_, _ = io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(buf.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var linkRE = regexp.MustCompile(`value="(http://[^"]+/set-password/[A-Za-z0-9_-]{43})"`)

// An instructor creates a class on the web, imports a roster (a bad one is refused whole), a
// student follows the set-password link and is signed in; a reset, a disable and a password
// change end the student's sessions; rotating the invite stops old links; joining twice is one
// membership (issue 9, point 1).
func TestClassPeopleFlow(t *testing.T) {
	srv := testenv.MustOpenServer(t, testenv.WithAccounts(),
		testenv.WithHTTPOptions(httpserver.WithAddressLimit(10000, time.Millisecond)))
	ctx := context.Background()
	h, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	testenv.MustCreateAccount(t, srv.DB, "ivo", "Ivo", domain.RoleInstructor, string(h))
	testenv.MustCreateAccount(t, srv.DB, "old", "Old Hand", domain.RoleLearner, string(h))
	ivo := client()
	login(t, ivo, srv.URL, "ivo", "correct horse")

	code, loc, _ := do(t, ivo, "POST", srv.URL+"/classes", url.Values{"id": {"kcna-1"}, "title": {"KCNA one"}, "sections": {"a, b"}})
	if code != http.StatusSeeOther || loc != "/classes/kcna-1" {
		t.Fatalf("create class = %d %q", code, loc)
	}
	if code, _, body := do(t, ivo, "POST", srv.URL+"/classes", url.Values{"id": {"kcna-1"}, "title": {"again"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "exists already") {
		t.Errorf("second class with the id = %d", code)
	}

	// A bad roster: every problem with its line, nothing imported.
	code, body := upload(t, ivo, srv.URL+"/classes/kcna-1/roster", "bad.csv", "username,name,email,section\nana,Ana,,a\n,x,,\nana,y,,\nbo,\"x\"y\",,\ncy,,,zz\n")
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad roster = %d", code)
	}
	for _, want := range []string{"bad.csv:3: empty username", "bad.csv:4: the username &#34;ana&#34; is also on line 2", "bad.csv:5: bad CSV", "bad.csv:6: unknown section &#34;zz&#34;"} {
		if !strings.Contains(body, want) {
			t.Errorf("bad roster page lacks %q", want)
		}
	}
	if _, err := srv.DB.UserByUsername(ctx, "ana"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a refused roster created ana: %v", err)
	}

	code, body = upload(t, ivo, srv.URL+"/classes/kcna-1/roster", "good.csv", "\ufeffname,username,email,section\r\n\"Ana, A.\",ana,ana@example.org,a\r\nOld,old,,b\r\n")
	links := linkRE.FindAllStringSubmatch(body, -1)
	if code != http.StatusOK || len(links) != 1 || !strings.Contains(body, "data:text/csv") {
		t.Fatalf("import = %d with %d links\n%.3000s", code, len(links), body)
	}
	anaLink := strings.Replace(links[0][1], "http://"+strings.TrimPrefix(srv.URL, "http://"), srv.URL, 1)

	// The class page shows the roster to its instructor.
	_, _, page := do(t, ivo, "GET", srv.URL+"/classes/kcna-1", nil)
	for _, want := range []string{"ana@example.org", `data-username="old"`, "no password yet", "/join/"} {
		if !strings.Contains(page, want) {
			t.Errorf("class page lacks %q", want)
		}
	}

	// Ana sets her password with the link and is signed in; the link then stops working.
	ana := client()
	if code, _, body := do(t, ana, "GET", anaLink, nil); code != http.StatusOK || !strings.Contains(body, "ana") {
		t.Fatalf("set-password page = %d", code)
	}
	if code, _, _ := do(t, ana, "POST", anaLink, url.Values{"password": {"short"}, "confirm": {"short"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("short password = %d", code)
	}
	if code, loc, _ := do(t, ana, "POST", anaLink, url.Values{"password": {"ana's long secret"}, "confirm": {"ana's long secret"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("set password = %d %q", code, loc)
	}
	if !signedIn(t, ana, srv.URL) {
		t.Fatal("not signed in after setting the password")
	}
	if code, _, _ := do(t, client(), "POST", anaLink, url.Values{"password": {"another long one"}, "confirm": {"another long one"}}); code != http.StatusNotFound {
		t.Errorf("second use of the link = %d, want 404", code)
	}
	// Students never see the class page, nor classmates on theirs.
	if code, _, _ := do(t, ana, "GET", srv.URL+"/classes/kcna-1", nil); code != http.StatusNotFound {
		t.Errorf("student on the class page = %d", code)
	}
	if _, _, body := do(t, ana, "GET", srv.URL+"/classes", nil); !strings.Contains(body, "KCNA one") || strings.Contains(body, "Old Hand") {
		t.Errorf("student's class list:\n%.2000s", body)
	}

	anaUser, _ := srv.DB.UserByUsername(ctx, "ana")
	act := func(action string) (int, string, string) {
		return do(t, ivo, "POST", srv.URL+"/classes/kcna-1/students/"+itoa(anaUser.ID)+"/"+action, url.Values{})
	}
	// Disable ends her session; enable lets her sign in again.
	if code, _, _ := act("disable"); code != http.StatusSeeOther {
		t.Fatalf("disable = %d", code)
	}
	if signedIn(t, ana, srv.URL) {
		t.Error("a disabled student is still signed in")
	}
	act("enable")
	if resp := login(t, ana, srv.URL, "ana", "ana's long secret"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in after enable = %d", resp.StatusCode)
	}
	// A reset ends her session, her password stops working, and the new link works.
	code, _, body = act("reset")
	reset := linkRE.FindStringSubmatch(body)
	if code != http.StatusOK || reset == nil {
		t.Fatalf("reset = %d", code)
	}
	if signedIn(t, ana, srv.URL) {
		t.Error("still signed in after a reset")
	}
	if resp := login(t, client(), srv.URL, "ana", "ana's long secret"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password after a reset = %d", resp.StatusCode)
	}
	if code, _, _ := do(t, ana, "POST", reset[1], url.Values{"password": {"a fresh long one"}, "confirm": {"a fresh long one"}}); code != http.StatusSeeOther || !signedIn(t, ana, srv.URL) {
		t.Errorf("new link = %d", code)
	}

	// Invite: join twice is one membership; a rotated code stops the old link.
	c, _ := srv.DB.ClassByID(ctx, "kcna-1")
	old := client()
	login(t, old, srv.URL, "old", "correct horse")
	act2 := func(who *http.Client, code string) int {
		st, _, _ := do(t, who, "POST", srv.URL+"/join/"+code, url.Values{})
		return st
	}
	if st := act2(old, c.InviteCode); st != http.StatusSeeOther {
		t.Errorf("join = %d", st)
	}
	if st := act2(old, c.InviteCode); st != http.StatusSeeOther {
		t.Errorf("join again = %d", st)
	}
	if roster, _ := srv.DB.ClassRoster(ctx, "kcna-1"); len(roster) != 3 {
		t.Errorf("roster has %d people, want ivo, ana, old", len(roster))
	}
	if code, _, _ := do(t, ivo, "POST", srv.URL+"/classes/kcna-1/invite", url.Values{"action": {"rotate"}}); code != http.StatusSeeOther {
		t.Fatalf("rotate = %d", code)
	}
	if st, _, _ := do(t, old, "GET", srv.URL+"/join/"+c.InviteCode, nil); st != http.StatusNotFound {
		t.Errorf("old invite link after rotation = %d", st)
	}
	// Remove: out of the class, account kept.
	if code, _, _ := act("remove"); code != http.StatusSeeOther {
		t.Errorf("remove = %d", code)
	}
	if _, err := srv.DB.ClassRoleOf(ctx, "kcna-1", anaUser.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("ana still in the class: %v", err)
	}
	if !signedIn(t, ana, srv.URL) {
		t.Error("removing from a class ended the student's session")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

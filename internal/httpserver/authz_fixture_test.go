package httpserver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"golang.org/x/crypto/bcrypt"
)

// authzFixture is the data the routes are tried on.
type authzFixture struct {
	srv     *testenv.Server
	clients map[string]*http.Client
	users   map[string]*domain.User
	token   string // a valid set-password link's token
	warmID  int64  // a pre-warm of c1
	warmAt  time.Time
	n       int
}

// authzParams gives each URL parameter its value. A route with a parameter not listed here
// fails the test: add it.
func (f *authzFixture) param(name string) (string, bool) {
	cat := f.srv.Content.Catalog
	switch name {
	case "classID":
		return "c1", true
	case "userID":
		return strconv.FormatInt(f.users["classmate"].ID, 10), true
	case "action":
		return "enable", true // harmless when it succeeds, so later rows see the same class
	case "code":
		c, err := f.srv.DB.ClassByID(context.Background(), "c3") // joining c3 changes nothing else
		if err != nil {
			panic(err)
		}
		return c.InviteCode, true
	case "token":
		return f.token, true
	case "spent-token":
		return "spent-spent-spent-spent-spent-spent-spent-s", true
	case "domainID":
		return cat.Domains[0].ID, true
	case "slug":
		return strings.TrimPrefix(cat.Lessons[0].URL(), "/lessons/"+cat.Domains[0].ID+"/"), true
	case "id":
		return cat.Questions[0].ID, true
	case "aid":
		as, err := f.srv.DB.Assignments(context.Background(), "c1")
		if err != nil || len(as) == 0 {
			panic(fmt.Sprint("no assignment in c1: ", err))
		}
		return strconv.FormatInt(as[0].ID, 10), true
	case "warmID":
		return strconv.FormatInt(f.warmID, 10), true
	case "examID", "pos", "reportID", "taskID":
		return "1", true
	case "labID":
		if len(cat.Labs) > 0 {
			return cat.Labs[0].ID, true
		}
		return "none", true
	case "*":
		return "app.css", true
	}
	return "", false
}

// form is the body a POST sends: what makes the request meaningful for those allowed.
func (f *authzFixture) form(pattern, role string) url.Values {
	f.n++
	switch pattern {
	case "/login":
		name := "nobody"
		if u := f.users[role]; u != nil {
			name = u.Username
		}
		return url.Values{"username": {name}, "password": {"wrong password"}}
	case "/classes":
		return url.Values{"id": {fmt.Sprintf("new-%d", f.n)}, "title": {"New"}}
	case "/classes/{classID}/roster":
		return url.Values{"csv": {fmt.Sprintf("username,name,email,section\nnewbie-%d,,,\n", f.n)}}
	case "/admin/staff":
		return url.Values{"username": {"spare"}, "role": {"instructor"}}
	case "/classes/{classID}/assignments":
		return url.Values{"kind": {"exam"}, "count": {"4"}, "minutes": {"10"}, "due": {"2030-01-01T00:00"}}
	case "/classes/{classID}/lab-pool":
		return url.Values{"count": {"2"}, "at": {f.warmAt.Format("2006-01-02T15:04")}, "tz": {"UTC"}}
	case "/classes/{classID}/assignments/{aid}/open":
		return url.Values{"minutes": {"600"}}
	case "/classes/{classID}/assignments/{aid}/extra":
		return url.Values{"user": {strconv.FormatInt(f.users["classmate"].ID, 10)}, "extra": {"5"}}
	case "/set-password/{token}":
		return url.Values{"password": {"a long enough secret"}, "confirm": {"a long enough secret"}}
	}
	return url.Values{}
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	srv := testenv.MustOpenServer(t, testenv.WithAccounts(), testenv.WithPoolingLabs(testenv.NewFakePool(), true),
		testenv.WithHTTPOptions(httpserver.WithAddressLimit(10000, time.Millisecond)))
	ctx := context.Background()
	// bcrypt at the minimum cost: ~40 sign-ins at the real cost take minutes under -race.
	h, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash := string(h)
	f := &authzFixture{srv: srv, clients: map[string]*http.Client{}, users: map[string]*domain.User{}}
	mk := func(key, username string, role domain.Role) *domain.User {
		u := testenv.MustCreateAccount(t, srv.DB, username, username, role, hash)
		f.users[key] = u
		return u
	}
	mk(student, "stu-one", domain.RoleLearner)
	mk(otherStu, "stu-two", domain.RoleLearner)
	mk(instructor, "ins-one", domain.RoleInstructor)
	mk(otherIns, "ins-two", domain.RoleInstructor)
	mk(admin, "adm", domain.RoleAdmin)
	mk("classmate", "wes-classmate", domain.RoleLearner)
	mk("spare", "spare", domain.RoleLearner)
	cs := srv.Class
	for _, c := range []struct{ id, teacher string }{{"c1", instructor}, {"c2", otherIns}, {"c3", otherIns}} {
		if _, err := cs.CreateClass(ctx, f.users[c.teacher], c.id, "Class "+c.id, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.RotateInvite(ctx, f.users[c.teacher], c.id); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct{ class, who string }{{"c1", student}, {"c1", "classmate"}, {"c2", otherStu}} {
		if err := srv.DB.AddClassMember(ctx, m.class, f.users[m.who].ID, domain.ClassStudent, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.DB.CreateAssignment(ctx, &domain.Assignment{ClassID: "c1", Kind: domain.AssignExam, Title: "Exam",
		DueAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Questions: 4, Minutes: 10, Grading: domain.GradeHighest,
		Review: domain.ReviewAfterDue}); err != nil {
		t.Fatal(err)
	}
	res, err := cs.ImportRoster(ctx, f.users[instructor], "c1", "r.csv", strings.NewReader("username,name,email,section\npending-one,,,\n"), "")
	if err != nil || len(res.Created) != 1 {
		t.Fatal(res, err)
	}
	f.token = strings.TrimPrefix(res.Created[0].URL, "/set-password/")
	f.warmAt = time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	w, err := srv.Labs.ScheduleWarm(ctx, "c1", f.users[instructor].ID, 2, f.warmAt)
	if err != nil {
		t.Fatal(err)
	}
	f.warmID = w.ID
	for _, r := range authzRoles {
		c := client()
		if r != anon {
			if resp := login(t, c, srv.URL, f.users[r].Username, "correct horse"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in as %s = %d", r, resp.StatusCode)
			}
		}
		f.clients[r] = c
	}
	return f
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// fill puts parameter values into a route pattern.
func (f *authzFixture) fill(method, pattern string) (string, error) {
	var b strings.Builder
	for rest := pattern; rest != ""; {
		i := strings.IndexAny(rest, "{*")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		name := "*"
		if rest[i] == '{' {
			j := strings.IndexByte(rest, '}')
			name, rest = rest[i+1:j], rest[j+1:]
			name, _, _ = strings.Cut(name, ":") // {id:[0-9]+}
		} else {
			rest = rest[i+1:]
		}
		if name == "token" && method != http.MethodGet {
			name = "spent-token" // the valid link is only looked at, never spent
		}
		v, ok := f.param(name)
		if !ok {
			return "", fmt.Errorf("no value for the parameter {%s}: add it to authzFixture.param", name)
		}
		b.WriteString(url.PathEscape(v))
	}
	return b.String(), nil
}

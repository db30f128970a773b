package httpserver_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// The roles every route is tried as.
const (
	anon       = "anonymous"
	student    = "student"       // a student of class c1
	otherStu   = "other-student" // a student of class c2 only
	instructor = "instructor"    // teaches c1
	otherIns   = "other-instructor"
	admin      = "admin"
)

var authzRoles = []string{anon, student, otherStu, instructor, otherIns, admin}

// outcome is what a role must get from a route.
type outcome string

const (
	toLogin outcome = "sign-in"    // anonymous: GET is sent to /login, others are 401
	allowed outcome = "allowed"    // 2xx, or 3xx anywhere but /login
	hidden  outcome = "not found"  // 404: told the same as for something that does not exist
	denied  outcome = "401"        // 401 (a failed sign-in)
	out     outcome = "signed out" // 303 to /login
	anyOK   outcome = "served"     // any status below 500 that is not a bounce to /login (learner pages whose answer depends on data)
)

func (o outcome) check(method string, code int, loc string) bool {
	bounced := strings.HasPrefix(loc, "/login")
	switch o {
	case toLogin:
		if method == http.MethodGet {
			return code == http.StatusSeeOther && bounced
		}
		return code == http.StatusUnauthorized
	case allowed:
		return code < 400 && !bounced
	case hidden:
		return code == http.StatusNotFound
	case denied:
		return code == http.StatusUnauthorized
	case anyOK:
		return code < 500 && !bounced
	case out:
		return code == http.StatusSeeOther && bounced
	}
	return false
}

// expect builds a row of the table: the outcome of each role, in authzRoles order.
func expect(o ...outcome) map[string]outcome {
	m := map[string]outcome{}
	for i, r := range authzRoles {
		m[r] = o[i]
	}
	return m
}

var (
	// A learner page: anonymous is sent to sign in, everyone signed in is served.
	learnerPage = expect(toLogin, anyOK, anyOK, anyOK, anyOK, anyOK)
	// Everyone signed in.
	anySignedIn = expect(toLogin, allowed, allowed, allowed, allowed, allowed)
	// Only those who teach class c1: its instructor and admins; the rest are told "not found".
	teachesC1 = expect(toLogin, hidden, hidden, allowed, hidden, allowed)
	// Instructors and admins of the site.
	staffOnly = expect(toLogin, hidden, hidden, allowed, allowed, allowed)
	adminOnly = expect(toLogin, hidden, hidden, hidden, hidden, allowed)
	public    = expect(allowed, allowed, allowed, allowed, allowed, allowed)
	publicAny = expect(anyOK, anyOK, anyOK, anyOK, anyOK, anyOK)
)

// authzTable is what every role gets from every route of the router.
//
// EVERY ROUTE MUST BE IN THIS TABLE. TestAuthorizationEveryRoute walks the real router and
// fails on a route that is missing here: whoever adds a route (the classroom's assignments,
// exams, gradebook, exports, item analysis, GIFT upload, ...) adds its line, with the outcome
// each role must get, and if it takes a new URL parameter, a value for it in authzParams.
var authzTable = map[string]map[string]outcome{
	// Operations and sign-in.
	"GET /healthz":               public,
	"GET /readyz":                public,
	"ANY /metrics":               publicAny, // mounted for every method: tried with GET
	"ANY /static/*":              publicAny,
	"GET /login":                 public,
	"POST /login":                expect(denied, denied, denied, denied, denied, denied), // empty form
	"POST /logout":               expect(out, out, out, out, out, out),                   // tried last: it ends the sessions
	"GET /set-password/{token}":  public,                                                 // a valid link opens for anyone
	"POST /set-password/{token}": expect(hidden, hidden, hidden, hidden, hidden, hidden), // a spent link: nobody

	// The learner's pages.
	"GET /":                                    learnerPage,
	"GET /domains/{domainID}":                  learnerPage,
	"GET /lessons/{domainID}/{slug}":           learnerPage,
	"POST /lessons/{domainID}/{slug}/complete": learnerPage,
	"GET /search":                              learnerPage,
	"GET /practice":                            learnerPage,
	"GET /practice/next":                       learnerPage,
	"GET /practice/q/{id}":                     learnerPage,
	"POST /practice/q/{id}":                    learnerPage,
	"GET /questions/{id}":                      learnerPage,
	"GET /exams":                               learnerPage,
	"POST /exams":                              learnerPage,
	"GET /exams/{examID}":                      learnerPage,
	"GET /exams/{examID}/q/{pos}":              learnerPage,
	"POST /exams/{examID}/q/{pos}/answer":      learnerPage,
	"POST /exams/{examID}/q/{pos}/flag":        learnerPage,
	"POST /exams/{examID}/submit":              learnerPage,
	"GET /exams/{examID}/result":               learnerPage,
	"GET /questions/{id}/report":               learnerPage,
	"POST /questions/{id}/report":              learnerPage,
	"GET /reports":                             learnerPage,
	"POST /reports/{reportID}/resolve":         learnerPage,
	"GET /review":                              learnerPage,
	"GET /review/stats":                        learnerPage,
	"POST /review/q/{id}":                      learnerPage,
	"POST /review/q/{id}/rate":                 learnerPage,
	"GET /labs":                                learnerPage,
	"GET /labs/{labID}":                        learnerPage,
	"POST /labs/{labID}/start":                 learnerPage,
	"POST /labs/{labID}/check":                 learnerPage,
	"POST /labs/{labID}/reset":                 learnerPage,
	"POST /labs/{labID}/stop":                  learnerPage,
	"GET /labs/{labID}/session":                learnerPage,
	"POST /labs/{labID}/tasks/{taskID}/hint":   learnerPage,
	"GET /labs/{labID}/kubeconfig":             learnerPage,
	"GET /labs/{labID}/terminal":               learnerPage, // a WebSocket; the lab session must be the caller's

	// Classes and their people (issue 9, points 1 and 7).
	"GET /classes":                      anySignedIn,
	"GET /classes/new":                  staffOnly,
	"POST /classes":                     staffOnly,
	"GET /classes/{classID}":            teachesC1,
	"POST /classes/{classID}/invite":    teachesC1,
	"POST /classes/{classID}/roster":    teachesC1,
	"GET /classes/{classID}/items":      teachesC1,
	"GET /classes/{classID}/items.csv":  teachesC1,
	"GET /classes/{classID}/items.json": teachesC1,
	"GET /classes/{classID}/questions":  teachesC1,
	// The fixture posts no file: its teachers get 422 "choose a file"; strangers still 404.
	"POST /classes/{classID}/questions":                  expect(toLogin, hidden, hidden, anyOK, hidden, anyOK),
	"GET /classes/{classID}/questions.gift":              teachesC1,
	"POST /classes/{classID}/students/{userID}/{action}": teachesC1,
	"GET /join":         anySignedIn,
	"GET /join/{code}":  anySignedIn,
	"POST /join/{code}": anySignedIn,
	"GET /admin/staff":  adminOnly,
	"POST /admin/staff": adminOnly,

	// Assignments, live exams, gradebook and instructor views (issue 9, points 2, 3, 4, 6).
	"GET /classes/{classID}/assignments":                 teachesC1,
	"POST /classes/{classID}/assignments":                teachesC1,
	"GET /classes/{classID}/assignments/{aid}":           expect(toLogin, allowed, hidden, allowed, hidden, allowed),
	"POST /classes/{classID}/assignments/{aid}/start":    expect(toLogin, allowed, hidden, hidden, hidden, hidden),
	"GET /classes/{classID}/assignments/{aid}/live":      teachesC1,
	"GET /classes/{classID}/assignments/{aid}/live/rows": teachesC1,
	"POST /classes/{classID}/assignments/{aid}/open":     teachesC1,
	"POST /classes/{classID}/assignments/{aid}/extra":    teachesC1,
	"GET /classes/{classID}/gradebook":                   teachesC1,
	"GET /classes/{classID}/gradebook.csv":               teachesC1,
	"GET /classes/{classID}/gradebook.json":              teachesC1,
	"GET /classes/{classID}/heatmap":                     teachesC1,
	"GET /classes/{classID}/students/{userID}":           teachesC1,

	// Pre-warming lab environments for a class (issue 11).
	"POST /classes/{classID}/lab-pool":                 teachesC1,
	"POST /classes/{classID}/lab-pool/{warmID}/cancel": teachesC1,
}

// TestAuthorizationEveryRoute walks every route of the real router and tries it as an
// anonymous visitor, a student, a student of another class, an instructor, another instructor
// and an admin, over a real HTTP server, against authzTable (issue 9, point 7). It also checks
// that nobody is shown people they may not see: a student never another student, an
// instructor never the students of a class they do not teach.
func TestAuthorizationEveryRoute(t *testing.T) {
	f := newAuthzFixture(t)
	type route struct{ method, pattern string }
	methods := map[string][]string{}
	var order []string
	err := chi.Walk(f.srv.Handler.Routes(), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if len(pattern) > 1 {
			pattern = strings.TrimSuffix(pattern, "/")
		}
		if _, ok := methods[pattern]; !ok {
			order = append(order, pattern)
		}
		methods[pattern] = append(methods[pattern], method)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var routes []route
	for _, p := range order {
		if slices.Contains(methods[p], http.MethodConnect) { // mounted with Handle: every method
			routes = append(routes, route{"ANY", p})
			continue
		}
		for _, m := range methods[p] {
			if m != http.MethodHead {
				routes = append(routes, route{m, p})
			}
		}
	}
	// Sign-out last: it ends the session the other rows use.
	slices.SortStableFunc(routes, func(a, b route) int {
		return boolCmp(a.pattern == "/logout", b.pattern == "/logout")
	})
	// Who must never appear on a page a role is served (a username is unique and distinctive).
	secret := map[string][]string{
		student:  {"wes-classmate", "stu-two", "pending-one"},
		otherStu: {"wes-classmate", "stu-one", "pending-one"},
		otherIns: {"wes-classmate", "stu-one", "pending-one"},
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.pattern
		seen[key] = true
		want, ok := authzTable[key]
		if !ok {
			t.Errorf("route %s is not in authzTable (internal/httpserver/authz_test.go): add it, with what each role must get", key)
			continue
		}
		path, err := f.fill(rt.method, rt.pattern)
		if err != nil {
			t.Errorf("route %s: %v", key, err)
			continue
		}
		for _, role := range authzRoles {
			var body io.Reader
			if rt.method != http.MethodGet {
				body = strings.NewReader(f.form(rt.pattern, role).Encode())
			}
			method := rt.method
			if method == "ANY" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, f.srv.URL+path, body)
			if body != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := f.clients[role].Do(req)
			if err != nil {
				t.Fatalf("%s %s as %s: %v", rt.method, path, role, err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if !want[role].check(rt.method, resp.StatusCode, loc) {
				t.Errorf("%s %s as %s = %d (Location %q), want %s", rt.method, path, role, resp.StatusCode, loc, want[role])
			}
			// The set-password page names its account to whoever holds the link.
			for _, name := range secret[role] {
				if rt.pattern == "/set-password/{token}" {
					break
				}
				if resp.StatusCode < 300 && strings.Contains(string(page), name) {
					t.Errorf("%s %s as %s shows %s", rt.method, path, role, name)
				}
			}
		}
	}
	for key := range authzTable {
		if !seen[key] {
			t.Errorf("authzTable lists %s, which the router does not have: remove it", key)
		}
	}
	t.Logf("%d routes x %d roles", len(routes), len(authzRoles))
}

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// site is the real app over the embedded content in accounts mode, with a learner who has
// a finished exam, an exam in progress, answered practice questions (so review cards), a
// completed lesson and a reported question, and an instructor and an admin.
type site struct {
	t     testing.TB
	a     *App
	users map[domain.Role]*webClient
	anon  *webClient
	// Paths filled in while seeding.
	finishedExam, openExam  string // /exams/N
	reviewed                []string
	classPage, passwordLink string // the instructor's class, a new account's set-password link
}

const sitePassword = "correct horse battery"

// webClient is a signed-in (or anonymous) HTTP client that does not follow redirects.
type webClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newWebClient(t testing.TB, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; a form makes it a POST. It returns the status, Location and body.
func (w *webClient) do(path string, form url.Values) (int, string, string) {
	w.t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.base+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// must sends a request and fails the test unless the status is one of want.
func (w *webClient) must(path string, form url.Values, want ...int) (string, string) {
	w.t.Helper()
	code, loc, body := w.do(path, form)
	if !slices.Contains(want, code) {
		w.t.Fatalf("%s (form %v) = %d, want %v\n%.2000s", path, form, code, want, body)
	}
	return loc, body
}

// newSite starts the app and seeds it through its own HTTP interface.
func newSite(t testing.TB) *site {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, LabBackend: "none"}
	db, err := store.Open(ctx, cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(sitePassword)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[domain.Role]string{domain.RoleLearner: "lea", domain.RoleInstructor: "ivo", domain.RoleAdmin: "ada"}
	for role, name := range roles {
		if _, err := db.CreateAccount(ctx, name, strings.ToUpper(name[:1])+name[1:], role, hash); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	a := StartAppConfig(t, cfg)
	s := &site{t: t, a: a, users: map[domain.Role]*webClient{}, anon: newWebClient(t, a.URL)}
	for role, name := range roles {
		c := newWebClient(t, a.URL)
		c.must("/login", url.Values{"username": {name}, "password": {sitePassword}, "next": {"/"}}, http.StatusSeeOther)
		s.users[role] = c
	}
	s.seed()
	return s
}

var examPath = regexp.MustCompile(`^/exams/\d+`)

// seed gives the learner a finished exam, an exam in progress, practice answers (due review
// cards), a completed lesson, and reports a question.
func (s *site) seed() {
	lea := s.users[domain.RoleLearner]
	cat := s.a.Catalog
	startExam := func() string {
		loc, _ := lea.must("/exams", url.Values{}, http.StatusSeeOther)
		p := examPath.FindString(loc)
		if p == "" {
			s.t.Fatalf("starting an exam went to %q", loc)
		}
		return p
	}
	answer := func(exam string, positions ...int) {
		for _, pos := range positions {
			lea.must(fmt.Sprintf("%s/q/%d/answer", exam, pos), url.Values{"choice": {"0"}}, http.StatusSeeOther)
		}
	}
	s.finishedExam = startExam()
	answer(s.finishedExam, 1, 2, 3, 4, 5)
	lea.must(s.finishedExam+"/q/2/flag", url.Values{"flagged": {"1"}}, http.StatusSeeOther)
	lea.must(s.finishedExam+"/submit", url.Values{}, http.StatusSeeOther)
	s.openExam = startExam()
	if s.openExam == s.finishedExam {
		s.t.Fatal("a submitted exam was resumed")
	}
	answer(s.openExam, 1, 2)
	lea.must(s.openExam+"/q/3/flag", url.Values{"flagged": {"1"}}, http.StatusSeeOther)

	// Practice: answer a few questions wrongly and rightly; missed ones become review cards.
	for i, q := range cat.Questions[:6] {
		path := "/practice/q/" + url.PathEscape(q.ID)
		_, body := lea.must(path, nil, http.StatusOK)
		d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			s.t.Fatal(err)
		}
		token := d.Find(`input[name="token"]`).AttrOr("value", "")
		pick := q.Correct()
		if i%2 == 0 {
			pick = []int{wrongChoice(q)}
		}
		form := url.Values{"token": {token}}
		for _, p := range pick {
			form.Add("choice", strconv.Itoa(p))
		}
		lea.must(path, form, http.StatusOK, http.StatusSeeOther)
		s.reviewed = append(s.reviewed, q.ID)
	}
	// A class taught by the instructor, with lea and a new account from a roster.
	ivo := s.users[domain.RoleInstructor]
	s.classPage, _ = ivo.must("/classes", url.Values{"id": {"kcna-e2e"}, "title": {"KCNA e2e"}, "sections": {"a, b"}}, http.StatusSeeOther)
	_, body := ivo.must(s.classPage+"/roster", url.Values{"csv": {"username,name,email,section\nlea,Lea,lea@example.org,a\nnewbie,\"New, Bie\",,b\n"}}, http.StatusOK)
	if m := regexp.MustCompile(`/set-password/[A-Za-z0-9_-]{43}`).FindString(body); m != "" {
		s.passwordLink = m
	} else {
		s.t.Fatalf("the roster import shows no set-password link:\n%.2000s", body)
	}
	lesson := cat.Lessons[0]
	lea.must(lesson.URL()+"/complete", url.Values{"done": {"1"}}, http.StatusSeeOther)
	lea.must("/questions/"+url.PathEscape(cat.Questions[0].ID)+"/report",
		url.Values{"kind": {"wrong-key"}, "message": {"The second option is also right in my reading of the docs."}},
		http.StatusOK)
}

func wrongChoice(q *catalog.Question) int {
	for i, c := range q.Choices {
		if !c.Correct {
			return i
		}
	}
	return 0
}

// learnerPages is every page a learner can GET, with the realistic data seeded: every
// domain, lesson, practice question and lab, the exam pages in progress and finished.
func (s *site) learnerPages() []string {
	cat := s.a.Catalog
	pages := []string{"/", "/practice", "/practice?weakest=1", "/exams", s.openExam + "/q/1", s.openExam + "/q/3",
		s.finishedExam + "/result", "/review", "/search?q=pod", "/search?q=kube-proxy+iptables", "/search?q=zzzznothing",
		"/labs", "/questions/" + url.PathEscape(cat.Questions[0].ID) + "/report", "/no/such/page", "/classes", "/join"}
	for _, d := range cat.Domains {
		pages = append(pages, d.URL(), "/practice?domain="+d.ID)
	}
	for _, l := range cat.Lessons {
		pages = append(pages, l.URL())
	}
	for _, q := range cat.Questions {
		pages = append(pages, "/practice/q/"+url.PathEscape(q.ID))
	}
	for _, l := range cat.Labs {
		pages = append(pages, l.URL())
	}
	return pages
}

// staffPages are the pages only instructors and admins see, plus the ones that look different
// for them (the header's staff links).
func (s *site) staffPages() []string {
	return []string{"/", "/reports", "/exams", "/review", "/labs", "/classes", "/classes/new", s.classPage}
}

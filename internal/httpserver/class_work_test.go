package httpserver_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

type classEnv struct {
	srv     *testenv.Server
	clients map[string]*http.Client // by username; "anon" signs in as nobody
	users   map[string]*domain.User
}

func newClassEnv(t *testing.T) *classEnv {
	t.Helper()
	over := map[string]string{
		"quizzes/alpha/one.yaml": testcontent.Questions("alpha", "one", "al-one", 1, 12, ""),
		"quizzes/beta/two.yaml":  testcontent.Questions("beta", "two", "be-two", 101, 8, ""),
	}
	s := testenv.MustOpenServer(t, testenv.WithAccounts(), testenv.WithContent(testenv.MustLoadContent(t, over)))
	hash, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	e := &classEnv{srv: s, clients: map[string]*http.Client{"anon": client()}, users: map[string]*domain.User{}}
	for _, u := range []struct {
		name string
		role domain.Role
	}{{"teacher", domain.RoleInstructor}, {"other", domain.RoleInstructor}, {"admin", domain.RoleAdmin},
		{"ana", domain.RoleLearner}, {"ben", domain.RoleLearner}, {"eve", domain.RoleLearner}} {
		e.users[u.name] = testenv.MustCreateAccount(t, s.DB, u.name, strings.ToUpper(u.name[:1])+u.name[1:], u.role, hash)
		c := client()
		if resp := login(t, c, s.URL, u.name, "correct horse"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login %s = %d", u.name, resp.StatusCode)
		}
		e.clients[u.name] = c
	}
	ctx := context.Background()
	if err := s.DB.CreateClass(ctx, &domain.Class{ID: "kcna", Title: "KCNA spring", Sections: []string{"a", "b"}}, e.users["teacher"].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.CreateClass(ctx, &domain.Class{ID: "other", Title: "Other class"}, e.users["other"].ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ class, user, section string }{{"kcna", "ana", "a"}, {"kcna", "ben", "b"}, {"other", "eve", ""}} {
		if err := s.DB.AddClassMember(ctx, m.class, e.users[m.user].ID, domain.ClassStudent, m.section); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *classEnv) do(t *testing.T, who, method, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = e.clients[who].PostForm(e.srv.URL+path, form)
	} else {
		resp, err = e.clients[who].Get(e.srv.URL + path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func TestClassWorkPagesAndAuthorization(t *testing.T) {
	e := newClassEnv(t)
	ctx := context.Background()

	// The instructor assigns an exam in their own time zone (Berlin, UTC+1 in January).
	form := url.Values{"kind": {"exam"}, "title": {"Midterm"}, "count": {"4"}, "minutes": {"30"}, "attempts": {"2"},
		"grading": {"highest"}, "review": {"after_due"}, "due": {"2030-01-15T18:00"}, "tz": {"Europe/Berlin"}}
	if code, body, h := e.do(t, "teacher", "POST", "/classes/kcna/assignments", form); code != http.StatusSeeOther || h.Get("Location") != "/classes/kcna/assignments" {
		t.Fatalf("assign = %d %s", code, body)
	}
	as, err := e.srv.Class.Assignments(ctx, e.users["teacher"], "kcna")
	if err != nil || len(as) != 1 {
		t.Fatalf("assignments: %v %v", as, err)
	}
	exam := as[0]
	if want := time.Date(2030, 1, 15, 17, 0, 0, 0, time.UTC); !exam.DueAt.Equal(want) || exam.Attempts != 2 || exam.Minutes != 30 {
		t.Errorf("assigned exam: %+v, want due %v", exam, want)
	}
	// A refused form keeps what was typed and says why; nothing is stored.
	bad := url.Values{"kind": {"lab"}, "ref": {"no-such-lab"}, "due": {"2030-01-15T18:00"}, "title": {"Kept title"}}
	if code, body, _ := e.do(t, "teacher", "POST", "/classes/kcna/assignments", bad); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Name one lab") || !strings.Contains(body, `value="Kept title"`) {
		t.Errorf("bad assignment = %d", code)
	}
	bad = url.Values{"kind": {"exam"}, "due": {"next tuesday"}}
	if code, body, _ := e.do(t, "teacher", "POST", "/classes/kcna/assignments", bad); code != http.StatusUnprocessableEntity || !strings.Contains(body, "next tuesday") {
		t.Errorf("bad due time = %d", code)
	}
	if code, _, _ := e.do(t, "other", "POST", "/classes/kcna/assignments", form); code != http.StatusNotFound {
		t.Errorf("another instructor assigns = %d", code)
	}
	if code, _, _ := e.do(t, "ana", "POST", "/classes/kcna/assignments", form); code != http.StatusNotFound {
		t.Errorf("a student assigns = %d", code)
	}
	if as, _ := e.srv.Class.Assignments(ctx, e.users["teacher"], "kcna"); len(as) != 1 {
		t.Fatalf("refused forms stored assignments: %d", len(as))
	}
	secB := url.Values{"kind": {"practice"}, "ref": {"al-one-001 al-one-002"}, "section": {"b"}, "due": {"2030-01-10T12:00"}}
	if code, body, _ := e.do(t, "teacher", "POST", "/classes/kcna/assignments", secB); code != http.StatusSeeOther {
		t.Fatalf("section b practice = %d %s", code, body)
	}
	as, _ = e.srv.Class.Assignments(ctx, e.users["teacher"], "kcna")
	practice := as[0]

	base := "/classes/kcna"
	ex := fmt.Sprintf("%s/assignments/%d", base, exam.ID)
	pr := fmt.Sprintf("%s/assignments/%d", base, practice.ID)
	staff := []string{
		base + "/assignments", base + "/gradebook", base + "/gradebook.csv", base + "/gradebook.json", base + "/heatmap",
		fmt.Sprintf("%s/students/%d", base, e.users["ana"].ID), ex + "/live", ex + "/live/rows",
	}
	// Every instructor page: its instructor and admins; nobody else learns the class exists.
	for _, p := range staff {
		for who, want := range map[string]int{"teacher": 200, "admin": 200, "other": 404, "ana": 404, "eve": 404, "anon": 303} {
			if code, _, _ := e.do(t, who, "GET", p, nil); code != want {
				t.Errorf("%s GET %s = %d, want %d", who, p, code, want)
			}
		}
	}
	for _, tc := range []struct {
		who, path string
		want      int
	}{
		{"ana", ex, 200}, {"ben", ex, 200}, {"eve", ex, 404}, {"other", ex, 404}, {"teacher", ex, 200}, {"anon", ex, 303},
		{"ana", pr, 404}, {"ben", pr, 200},
		{"ana", fmt.Sprintf("%s/students/%d", base, e.users["eve"].ID), 404},
		{"teacher", fmt.Sprintf("%s/students/%d", base, e.users["eve"].ID), 404},
		{"teacher", base + "/assignments/999", 404}, {"teacher", base + "/assignments/x", 404},
	} {
		if code, _, _ := e.do(t, tc.who, "GET", tc.path, nil); code != tc.want {
			t.Errorf("%s GET %s = %d, want %d", tc.who, tc.path, code, tc.want)
		}
	}
	for _, tc := range []struct {
		who, path string
		form      url.Values
		want      int
	}{
		{"ana", ex + "/open", url.Values{"minutes": {"30"}}, 404},
		{"other", ex + "/open", url.Values{"minutes": {"30"}}, 404},
		{"ana", ex + "/extra", url.Values{"user": {fmt.Sprint(e.users["ana"].ID)}, "extra": {"30"}}, 404},
		{"teacher", ex + "/extra", url.Values{"user": {fmt.Sprint(e.users["eve"].ID)}, "extra": {"30"}}, 404},
		{"eve", ex + "/start", nil, 404},
		{"teacher", ex + "/start", nil, 404},
	} {
		if code, _, _ := e.do(t, tc.who, "POST", tc.path, tc.form); code != tc.want {
			t.Errorf("%s POST %s = %d, want %d", tc.who, tc.path, code, tc.want)
		}
	}

	// The student sees the exam first on the dashboard, with its due time for their browser.
	code, body, _ := e.do(t, "ana", "GET", "/", nil)
	if code != 200 || !strings.Contains(body, `data-testid="my-assignments"`) || !strings.Contains(body, "Midterm") ||
		!strings.Contains(body, `datetime="2030-01-15T17:00:00Z"`) || strings.Index(body, "my-assignments") > strings.Index(body, `class="hero"`) {
		t.Fatalf("ana's dashboard does not lead with the assignment:\n%s", body)
	}
	if _, body, _ := e.do(t, "eve", "GET", "/", nil); strings.Contains(body, "Midterm") {
		t.Error("another class's student sees the assignment")
	}
	// Extra time for ana, then she starts: the deadline carries it.
	if code, _, _ := e.do(t, "teacher", "POST", ex+"/extra", url.Values{"user": {fmt.Sprint(e.users["ana"].ID)}, "extra": {"15"}}); code != 303 {
		t.Fatalf("extra time = %d", code)
	}
	code, _, h := e.do(t, "ana", "POST", ex+"/start", nil)
	loc := h.Get("Location")
	if code != 303 || !regexp.MustCompile(`^/exams/\d+$`).MatchString(loc) {
		t.Fatalf("start = %d %s", code, loc)
	}
	var examID int64
	fmt.Sscanf(loc, "/exams/%d", &examID)
	st, err := e.srv.Trainer.Exam(ctx, e.users["ana"].ID, examID)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Exam.Deadline.Sub(st.Exam.StartedAt); got != 45*time.Minute {
		t.Errorf("deadline %v after the start, want 30+15 minutes", got)
	}
	_, rows, _ := e.do(t, "teacher", "GET", ex+"/live/rows", nil)
	if !strings.Contains(rows, "<strong>1</strong> of 2 started") || !strings.Contains(rows, `hx-trigger="every 5s"`) {
		t.Errorf("live rows after one start:\n%s", rows)
	}
	for pos, it := range st.Items {
		var picked url.Values = url.Values{}
		for j, ch := range it.Question.Choices {
			if ch.Correct && pos < 3 {
				picked.Add("choice", fmt.Sprint(j))
			}
		}
		if len(picked) == 0 {
			continue
		}
		if code, body, _ := e.do(t, "ana", "POST", fmt.Sprintf("/exams/%d/q/%d/answer", examID, pos+1), picked); code != 303 {
			t.Fatalf("answer = %d %s", code, body)
		}
	}
	if code, _, _ := e.do(t, "ana", "POST", fmt.Sprintf("/exams/%d/submit", examID), nil); code != 303 {
		t.Fatalf("submit = %d", code)
	}
	// Before the due time the result shows the score but not the answers.
	_, res, _ := e.do(t, "ana", "GET", fmt.Sprintf("/exams/%d/result", examID), nil)
	if !strings.Contains(res, `data-testid="review-hidden"`) || strings.Contains(res, `data-testid="result-item"`) {
		t.Error("the result shows answers before the due time")
	}

	// The gradebook page and its CSV say the same.
	_, page, _ := e.do(t, "teacher", "GET", base+"/gradebook", nil)
	cells := regexp.MustCompile(`data-cell="([^"]*)"`).FindAllStringSubmatch(page, -1)
	_, csvBody, hdr := e.do(t, "teacher", "GET", base+"/gradebook.csv", nil)
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %v %s", err, hdr.Get("Content-Type"))
	}
	var fromCSV, fromPage []string
	if len(recs) < 2 {
		t.Fatalf("CSV: %q", recs)
	}
	for _, r := range recs[1:] {
		fromCSV = append(fromCSV, r[3:]...)
	}
	for _, c := range cells {
		fromPage = append(fromPage, c[1])
	}
	if strings.Join(recs[0][:3], ",") != "username,name,section" || len(recs) != 3 || recs[1][0] != "ana" ||
		strings.Join(fromCSV, "|") != strings.Join(fromPage, "|") || !strings.Contains(strings.Join(fromCSV, "|"), "75%") {
		t.Errorf("CSV %q\ndoes not match the page %q", recs, fromPage)
	}
	_, js, _ := e.do(t, "teacher", "GET", base+"/gradebook.json", nil)
	var g struct {
		Students []struct {
			Username string
			Work     []struct {
				Status string
				Score  *int
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &g); err != nil || len(g.Students) != 2 || len(g.Students[0].Work) != 1 || g.Students[0].Work[0].Score == nil || *g.Students[0].Work[0].Score != 75 {
		t.Errorf("JSON gradebook: %v %s", err, js)
	}
	if _, body, _ := e.do(t, "teacher", "GET", fmt.Sprintf("%s/students/%d", base, e.users["ana"].ID), nil); !strings.Contains(body, "Review backlog") || !strings.Contains(body, "75%") {
		t.Error("student page lacks the backlog or the exam's work")
	}
	if _, body, _ := e.do(t, "teacher", "GET", base+"/heatmap", nil); !strings.Contains(body, "Competency One") || !strings.Contains(body, "heat-") {
		t.Error("heat map lacks the competencies")
	}
}

package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/study"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

func TestPracticeFlow(t *testing.T) {
	e := newEnv(t, nil)
	d := e.doc("/practice", 200)
	if d.Find(`select[name="competency"] option`).Length() != 3 {
		t.Errorf("competency options = %d", d.Find(`select[name="competency"] option`).Length())
	}
	resp := e.do("GET", "/practice/next?domain=beta", nil, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/practice/q/be-two-") || !strings.HasSuffix(loc, "?domain=beta") {
		t.Fatalf("next = %d %s", resp.StatusCode, loc)
	}
	d = e.doc(loc, 200)
	qid := d.Find(`[data-testid="question"]`).AttrOr("data-question-id", "")
	token := d.Find(`input[name="token"]`).AttrOr("value", "")
	if qid == "" || token == "" || d.Find(`[data-testid="option"] input[type="radio"]`).Length() != 3 {
		t.Fatalf("question page: id %q token %q", qid, token)
	}
	// The generated questions have choice 0 right. Answer wrongly, twice with the same token.
	for range 2 {
		resp = e.do("POST", loc, url.Values{"choice": {"1"}, "token": {token}}, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("answer = %d", resp.StatusCode)
		}
	}
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	for _, want := range []string{`data-correct="false"`, "Because it is right.", "Because it is wrong.", "Also wrong.", "The takeaway.", "kubernetes.io/docs/concepts", `data-testid="next-question"`} {
		if !strings.Contains(page, want) {
			t.Errorf("feedback lacks %q", want)
		}
	}
	stats, _ := e.db.QuestionStats(context.Background(), 1)
	if len(stats) != 1 || stats[0].Count != 1 {
		t.Errorf("stats = %+v: a double-submitted answer must be stored once", stats)
	}
	// Invalid: two choices on a single-answer question; nothing chosen.
	if r := e.do("POST", loc, url.Values{"choice": {"0", "1"}}, nil); r.StatusCode != 422 {
		t.Errorf("two picks = %d", r.StatusCode)
	}
	if r := e.do("POST", loc, url.Values{}, nil); r.StatusCode != 422 {
		t.Errorf("no pick = %d", r.StatusCode)
	}
	// The missed question is due for review; the dashboard says so.
	if got := e.doc("/", 200).Find(`[data-testid="due-today"]`).Text(); got != "1" {
		t.Errorf("due today = %q", got)
	}
	d = e.doc("/review", 200)
	if d.Find(`[data-testid="question"]`).AttrOr("data-question-id", "") != qid {
		t.Fatal("review does not show the missed question")
	}
	resp = e.do("POST", "/review/q/"+qid, url.Values{"choice": {"0"}, "token": {"x"}}, nil)
	b, _ = io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `data-testid="rate-good"`) {
		t.Fatalf("no rating buttons:\n%.500s", b)
	}
	resp = e.do("POST", "/review/q/"+qid+"/rate", url.Values{"rating": {"good"}, "reps": {"0"}}, nil)
	if resp.StatusCode != 303 {
		t.Fatalf("rate = %d", resp.StatusCode)
	}
	if e.doc("/review", 200).Find(`[data-testid="review-empty"]`).Length() != 1 {
		t.Error("card still due after rating good")
	}
	e.doc("/practice/next?competency=nope", 400)
	e.doc("/practice/next?difficulty=9", 400)
	if r := e.do("GET", "/questions/al-one-001", nil, nil); r.StatusCode != 303 || r.Header.Get("Location") != "/practice/q/al-one-001" {
		t.Errorf("question permalink = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestExamHTTP(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do("POST", "/exams", nil, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/exams/1" {
		t.Fatalf("start = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = e.do("GET", "/exams/1", nil, nil)
	if resp.Header.Get("Location") != "/exams/1/q/1" {
		t.Fatalf("exam = %s", resp.Header.Get("Location"))
	}
	d := e.doc("/exams/1/q/1", 200)
	for _, id := range []string{"question", "option", "next", "flag", "navigator", "submit"} {
		if d.Find(`[data-testid="`+id+`"]`).Length() == 0 {
			t.Errorf("exam page lacks data-testid=%s", id)
		}
	}
	if d.Find(`[data-testid="previous"]`).Length() != 0 {
		t.Error("first question has a previous link")
	}
	hx := map[string]string{"HX-Request": "true"}
	resp = e.do("POST", "/exams/1/q/1/answer", url.Values{"choice": {"0"}}, hx)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `hx-swap-oob="true"`) || !strings.Contains(string(b), `data-answered="true"`) {
		t.Fatalf("answer = %d\n%s", resp.StatusCode, b)
	}
	resp = e.do("POST", "/exams/1/q/2/flag", url.Values{"flagged": {"1"}}, hx)
	b, _ = io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `data-flagged="true"`) {
		t.Errorf("flag response:\n%s", b)
	}
	if r := e.do("POST", "/exams/1/q/99/answer", url.Values{"choice": {"0"}}, nil); r.StatusCode != 404 {
		t.Errorf("answer to question 99 = %d", r.StatusCode)
	}
	// The dashboard offers to resume; a second start resumes the same exam.
	if e.doc("/", 200).Find(`[data-testid="resume-exam"]`).AttrOr("href", "") != "/exams/1" {
		t.Error("dashboard does not offer to resume")
	}
	if r := e.do("POST", "/exams", nil, nil); r.Header.Get("Location") != "/exams/1" {
		t.Error("second start did not resume")
	}
	if r := e.do("GET", "/exams/1/result", nil, nil); r.StatusCode != 303 {
		t.Errorf("result of a running exam = %d, want a redirect", r.StatusCode)
	}
	if r := e.do("POST", "/exams/1/submit", nil, nil); r.StatusCode != 303 {
		t.Fatalf("submit = %d", r.StatusCode)
	}
	d = e.doc("/exams/1/result", 200)
	if d.Find(`[data-testid="score"]`).Length() != 1 || d.Find(`[data-testid="domain-score"]`).Length() == 0 {
		t.Error("result page lacks score or domain scores")
	}
	if n := d.Find(`[data-testid="result-item"]`).Length(); n != 4 {
		t.Errorf("%d result items", n)
	}
	// After submission: answers are refused with 410 and a message.
	resp = e.do("POST", "/exams/1/q/1/answer", url.Values{"choice": {"1"}}, hx)
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusGone || !strings.Contains(string(b), "exam is over") {
		t.Errorf("late answer = %d %s", resp.StatusCode, b)
	}
	d = e.doc("/exams", 200)
	if d.Find(`[data-testid="trend-chart"] circle`).Length() != 1 || d.Find(`[data-testid="exam-history"] tbody tr`).Length() != 1 {
		t.Error("history or chart missing")
	}
	e.doc("/exams/2/q/1", 404)
	e.doc("/exams/abc", 404)
}

func TestReportAProblem(t *testing.T) {
	e := newEnv(t, nil)
	d := e.doc("/practice/q/al-one-002", 200)
	href := d.Find(`[data-testid="report-link"]`).AttrOr("href", "")
	if href != "/questions/al-one-002/report" {
		t.Fatalf("report link = %q", href)
	}
	e.doc(href, 200)
	if r := e.do("POST", href, url.Values{"kind": {"bogus"}}, nil); r.StatusCode != 422 {
		t.Errorf("bad kind = %d", r.StatusCode)
	}
	for _, msg := range []string{"first", "B looks right too, see the docs"} {
		if r := e.do("POST", href, url.Values{"kind": {"wrong-key"}, "message": {msg}}, nil); r.StatusCode != 200 {
			t.Fatalf("report = %d", r.StatusCode)
		}
	}
	d = e.doc("/reports", 200)
	rows := d.Find(`[data-testid="reports"] tbody tr`)
	if rows.Length() != 1 {
		t.Fatalf("%d report rows, want 1 (a repeated report updates the open one)", rows.Length())
	}
	if !strings.Contains(rows.Text(), "B looks right too") || !strings.Contains(rows.Text(), "quizzes/alpha/one.yaml:19") {
		t.Errorf("report row: %s", rows.Text())
	}
	id, _ := strconv.Atoi(rows.AttrOr("data-report-id", ""))
	if r := e.do("POST", "/reports/"+strconv.Itoa(id)+"/resolve", nil, nil); r.StatusCode != 303 {
		t.Fatalf("resolve = %d", r.StatusCode)
	}
	if e.doc("/reports", 200).Find(`[data-testid="no-reports"]`).Length() != 1 {
		t.Error("resolved report still listed as open")
	}
	// A learner (not staff) may not list reports.
	learner, _ := e.db.CreateUser(context.Background(), "lea", "Lea", domain.RoleLearner)
	if _, err := study.New(nil, e.db).Reports(context.Background(), learner, true); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("learner lists reports: %v", err)
	}
}

// A question tagged beyond-kcna says so where the learner practises it; others do not.
func TestBeyondKCNAIsShownInPractice(t *testing.T) {
	qs := testcontent.Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first")
	qs = strings.Replace(qs, "  - id: al-one-002\n    type: single\n", "  - id: al-one-002\n    type: single\n    tags: [beyond-kcna]\n", 1)
	e := newEnv(t, map[string]string{"quizzes/alpha/one.yaml": qs})
	if n := e.doc("/practice/q/al-one-002", 200).Find(`[data-testid="beyond-kcna"]`).Length(); n != 1 {
		t.Errorf("tagged question: %d beyond-kcna marks, want 1", n)
	}
	if n := e.doc("/practice/q/al-one-001", 200).Find(`[data-testid="beyond-kcna"]`).Length(); n != 0 {
		t.Errorf("untagged question: %d beyond-kcna marks, want 0", n)
	}
}

package httpserver_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// seedExam stores a submitted exam of userID with the given questions, right where marks say.
func seedExam(t *testing.T, db *store.DB, userID int64, ids []string, marks []bool) {
	t.Helper()
	ctx := context.Background()
	ne := domain.NewExam{Minutes: 10, PassScore: 1, MaxScore: len(ids)}
	for _, id := range ids {
		ne.Questions = append(ne.Questions, domain.NewExamQuestion{QuestionID: id, ChoiceOrder: []int{0, 1, 2}})
	}
	e, err := db.CreateExam(ctx, userID, ne)
	if err != nil {
		t.Fatal(err)
	}
	sub := domain.ExamSubmission{}
	for i, id := range ids {
		sub.Answers = append(sub.Answers, domain.AnswerRecord{QuestionID: id, Picked: []int{0}, Correct: marks[i]})
		if marks[i] {
			sub.Correct++
		}
	}
	sub.Score = sub.Correct
	if _, err := db.SubmitExam(ctx, userID, e.ID, sub); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, c *http.Client, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func uploadGIFT(t *testing.T, c *http.Client, url, name string, data []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestClassItemsAndQuestionsPages drives the item analysis and the own-questions pages over
// HTTP, as the class's instructor, another instructor, a student of the class and an admin.
func TestClassItemsAndQuestionsPages(t *testing.T) {
	ctx := context.Background()
	s := testenv.MustOpenServer(t, testenv.WithAccounts())
	db := s.DB
	hash, _ := auth.HashPassword("correct horse")
	teacher := testenv.MustCreateAccount(t, db, "teacher", "Teacher", domain.RoleInstructor, hash)
	testenv.MustCreateAccount(t, db, "other", "Other", domain.RoleInstructor, hash)
	testenv.MustCreateAccount(t, db, "root", "Root", domain.RoleAdmin, hash)
	var students []*domain.User
	for _, n := range []string{"s1", "s2", "s3", "s4", "s5"} {
		students = append(students, testenv.MustCreateAccount(t, db, n, n, domain.RoleLearner, hash))
	}
	if err := db.CreateClass(ctx, &domain.Class{ID: "kcna", Title: "KCNA evening"}, teacher.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range students {
		if err := db.AddClassMember(ctx, "kcna", u.ID, domain.ClassStudent, ""); err != nil {
			t.Fatal(err)
		}
	}
	// The hand-computed table of the classroom's unit test: q2 is flagged (efficiency 0).
	ids := []string{"al-one-001", "al-one-002", "al-one-003"}
	for i, m := range [][]bool{{true, true, true}, {true, true, false}, {true, false, true}, {false, true, false}, {false, false, false}} {
		seedExam(t, db, students[i].ID, ids, m)
	}
	if err := db.AddReport(ctx, students[3].ID, "al-one-002", "wrong-key", "Option two is also right."); err != nil {
		t.Fatal(err)
	}
	// A learner outside the class reports the same question: the class's instructor never sees it.
	outsider := testenv.MustCreateAccount(t, db, "zed", "Zed Outsider", domain.RoleLearner, hash)
	if err := db.AddReport(ctx, outsider.ID, "al-one-002", "unclear", "Secret outsider words."); err != nil {
		t.Fatal(err)
	}
	clients := map[string]*http.Client{}
	for _, n := range []string{"teacher", "other", "root", "s1"} {
		clients[n] = client()
		login(t, clients[n], s.URL, n, "correct horse")
	}
	base := s.URL + "/classes/kcna"

	code, body, _ := get(t, clients["teacher"], base+"/items")
	if code != http.StatusOK || !strings.Contains(body, "5 submitted exam attempts, 3 questions") || !strings.Contains(body, `data-testid="flagged"`) ||
		!strings.Contains(body, "Option two is also right.") {
		t.Fatalf("items page = %d\n%s", code, body)
	}
	if strings.Contains(body, "Secret outsider words.") || strings.Contains(body, "Zed Outsider") {
		t.Error("the items page shows a report by someone outside the class")
	}
	if strings.Count(body, `data-testid="flagged"`) != 1 {
		t.Errorf("want exactly one flagged question")
	}
	code, body, hdr := get(t, clients["teacher"], base+"/items.csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(recs) != 4 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv = %d %v %q", code, err, body)
	}
	if got := strings.Join(recs[2], ","); got != "al-one-002,5,0.6000,0.5477,0.0000,0.0000,true,1" {
		t.Errorf("csv row = %s", got)
	}
	if got := strings.Join(recs[1], ","); got != "al-one-001,5,0.6000,0.5477,64.5497,100.0000,false,0" {
		t.Errorf("csv row = %s", got)
	}
	code, body, _ = get(t, clients["teacher"], base+"/items.json")
	var js struct {
		Attempts int               `json:"attempts"`
		Items    []domain.ItemStat `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &js); code != 200 || err != nil || js.Attempts != 5 || len(js.Items) != 3 || !js.Items[1].Flagged || math.Abs(*js.Items[2].Efficiency-37.5) > 1e-9 {
		t.Fatalf("json = %d %v %s", code, err, body)
	}

	// Own questions: upload, see the report, re-upload updates, export.
	data, err := os.ReadFile("../classroom/testdata/moodle-export.gift")
	if err != nil {
		t.Fatal(err)
	}
	code, body = uploadGIFT(t, clients["teacher"], base+"/questions", "evening.gift", data)
	if code != 200 || !strings.Contains(body, "evening.gift: 5 added, 0 updated, 5 skipped.") || !strings.Contains(body, "line 31:") ||
		!strings.Contains(body, "GIFT essay questions are not supported") {
		t.Fatalf("upload = %d\n%s", code, body)
	}
	code, body = uploadGIFT(t, clients["teacher"], base+"/questions", "evening.gift", data)
	if code != 200 || !strings.Contains(body, "0 added, 5 updated") || strings.Count(body, "<tr data-question-id=") != 5 {
		t.Fatalf("re-upload = %d\n%s", code, body)
	}
	code, body, _ = get(t, clients["teacher"], base+"/questions.gift")
	if code != 200 || strings.Count(body, "::") != 10 || !strings.Contains(body, "[id:kcna-ev-01]") {
		t.Errorf("export = %d\n%s", code, body)
	}
	code, _ = uploadGIFT(t, clients["teacher"], base+"/questions", "empty.gift", nil)
	if code != 200 {
		t.Errorf("empty upload = %d", code)
	}

	// Nobody else sees or changes any of it; the admin does; ALL is the admin's.
	for _, who := range []string{"other", "s1"} {
		for _, p := range []string{"/items", "/items.csv", "/items.json", "/questions", "/questions.gift"} {
			if code, _, _ := get(t, clients[who], base+p); code != http.StatusNotFound {
				t.Errorf("%s GET %s = %d, want 404", who, p, code)
			}
		}
		if code, _ := uploadGIFT(t, clients[who], base+"/questions", "x.gift", data); code != http.StatusNotFound {
			t.Errorf("%s upload = %d, want 404", who, code)
		}
		if code, _, _ := get(t, clients[who], s.URL+"/classes/ALL/items"); code != http.StatusNotFound {
			t.Errorf("%s GET ALL = %d, want 404", who, code)
		}
	}
	if code, _, _ := get(t, client(), base+"/items"); code != http.StatusSeeOther {
		t.Errorf("anonymous = %d, want a redirect to sign in", code)
	}
	if code, body, _ := get(t, clients["root"], base+"/items"); code != 200 || !strings.Contains(body, "5 submitted exam attempts") {
		t.Errorf("admin items = %d", code)
	}
	if code, body, _ := get(t, clients["root"], s.URL+"/classes/ALL/items.csv"); code != 200 || strings.Count(body, "\n") != 4 {
		t.Errorf("admin ALL csv = %d %q", code, body)
	}

	// The class's own questions are practised on the same page as the bank's, by the class
	// only: a student of the class sees and answers one; anyone outside it gets 404.
	own, err := db.ClassQuestionList(ctx, "kcna")
	if err != nil || len(own) == 0 {
		t.Fatalf("class questions: %d %v", len(own), err)
	}
	q := own[0]
	url := s.URL + "/practice/q/" + q.QuestionID()
	code, body, _ = get(t, clients["s1"], url)
	if code != 200 || !strings.Contains(body, "Class question") && (q.Competency == "" || !strings.Contains(body, "Practice")) {
		t.Fatalf("s1 GET %s = %d\n%s", url, code, body)
	}
	right := -1
	for i, c := range q.Choices {
		if c.Correct {
			right = i
		}
	}
	// The page shows choices in a per-learner order; the form posts the question's own index.
	resp, err := clients["s1"].PostForm(url, map[string][]string{"choice": {strconv.Itoa(right)}, "token": {"t-own-1"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `data-correct="true"`) {
		t.Errorf("s1 answers %s = %d\n%s", q.QuestionID(), resp.StatusCode, b)
	}
	zed := client()
	login(t, zed, s.URL, "zed", "correct horse")
	for who, c := range map[string]*http.Client{"other": clients["other"], "zed": zed} {
		if code, _, _ := get(t, c, url); code != http.StatusNotFound {
			t.Errorf("%s GET %s = %d, want 404", who, url, code)
		}
		resp, err := c.PostForm(url, map[string][]string{"choice": {"0"}, "token": {"t-" + who}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s POST %s = %d, want 404", who, url, resp.StatusCode)
		}
	}
}

package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// TestBrowserClassItemsPages: an instructor uploads a Moodle GIFT export through the page on a
// 390x844 phone, then reads the item analysis of their class. No page scrolls sideways, and
// none shows templ source.
func TestBrowserClassItemsPages(t *testing.T) {
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
	ivo, err := db.CreateAccount(ctx, "ivo", "Ivo", domain.RoleInstructor, hash)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	a := StartAppConfig(t, cfg)
	if err := a.DB.CreateClass(ctx, &domain.Class{ID: "kcna-evening", Title: "KCNA evening class, autumn term"}, ivo.ID); err != nil {
		t.Fatal(err)
	}
	ids := []string{"kf-core-001", "kf-core-002", "kf-core-003"}
	for i, marks := range [][]bool{{true, true, true}, {true, true, false}, {true, false, true}, {false, true, false}, {false, false, false}} {
		u, err := a.DB.CreateUser(ctx, "student"+string(rune('a'+i)), "Student", domain.RoleLearner)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.DB.AddClassMember(ctx, "kcna-evening", u.ID, domain.ClassStudent, ""); err != nil {
			t.Fatal(err)
		}
		ne := domain.NewExam{Minutes: 10, PassScore: 1, MaxScore: 3}
		var sub domain.ExamSubmission
		for j, id := range ids {
			ne.Questions = append(ne.Questions, domain.NewExamQuestion{QuestionID: id, ChoiceOrder: []int{0, 1, 2}})
			sub.Answers = append(sub.Answers, domain.AnswerRecord{QuestionID: id, Picked: []int{0}, Correct: marks[j]})
		}
		e, err := a.DB.CreateExam(ctx, u.ID, ne)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.SubmitExam(ctx, u.ID, e.ID, sub); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			msg := "The second option is also right according to https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#creating-a-deployment-with-a-very-long-anchor"
			if err := a.DB.AddReport(ctx, u.ID, "kf-core-002", "wrong-key", msg); err != nil {
				t.Fatal(err)
			}
		}
	}

	b := NewBrowser(t)
	Do(t, b, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SetValue(chromedp.CSS(`input[name="username"]`), "ivo"),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), sitePassword),
		chromedp.Click(chromedp.CSS(`form button[type="submit"].btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="domain-card"]`)))
	check := func(what string) {
		t.Helper()
		o := Eval[overflow](t, b, overflowJS)
		if o.Client != 390 {
			t.Fatalf("%s: viewport is %d px wide, want 390", what, o.Client)
		}
		if o.Scroll > o.Client {
			t.Errorf("%s scrolls sideways on a 390 px phone: %d px wide; widest: %s", what, o.Scroll, o.Offender)
		}
		page := Eval[string](t, b, `document.documentElement.outerHTML`)
		leaks, err := templLeaks(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leaks {
			t.Errorf("%s shows templ source: %s", what, l)
		}
	}

	Do(t, b, chromedp.Navigate(a.URL+"/classes/kcna-evening/items"), chromedp.WaitReady(chromedp.CSS(`footer.site-footer`)))
	if n := Eval[int](t, b, `document.querySelectorAll('[data-testid="items"]').length`); n != 1 {
		t.Fatalf("no item table: %s", Eval[string](t, b, `document.querySelector("main").innerText`))
	}
	if n := Eval[int](t, b, `document.querySelectorAll('[data-testid="flagged"]').length`); n != 1 {
		t.Errorf("%d flagged questions on the page, want 1 (kf-core-002)", n)
	}
	if r := Text(t, b, `tr[data-question-id="kf-core-002"] [data-testid="item-reports"]`); !strings.Contains(r, "also right") {
		t.Errorf("the flagged question's report is not beside it: %q", r)
	}
	check("/classes/kcna-evening/items")

	fixture, err := filepath.Abs("../classroom/testdata/moodle-export.gift")
	if err != nil {
		t.Fatal(err)
	}
	Do(t, b, chromedp.Navigate(a.URL+"/classes/kcna-evening/questions"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="gift-upload"]`)))
	check("/classes/kcna-evening/questions (empty)")
	Do(t, b, chromedp.SetUploadFiles(chromedp.CSS(`input[type="file"][name="file"]`), []string{fixture}),
		chromedp.Click(chromedp.CSS(`[data-testid="gift-upload"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-report"]`)))
	if r := Text(t, b, `[data-testid="import-report"]`); !strings.Contains(r, "5 added, 0 updated, 5 skipped") {
		t.Errorf("import report: %q", r)
	}
	if n := Eval[int](t, b, `document.querySelectorAll('[data-testid="class-questions"] tbody tr').length`); n != 5 {
		t.Errorf("%d questions listed, want 5", n)
	}
	check("the upload's report")
}

package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// TestBrowserClassroom is the classroom from both sides, in a browser: an instructor creates a
// class, imports a roster and assigns a mock exam and a lab; the new student follows the
// set-password link, finds the exam first on the dashboard and takes it; the instructor's
// gradebook shows the score, and the gradebook CSV says the same as the page.
func TestBrowserClassroom(t *testing.T) {
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
	if _, err := db.CreateAccount(ctx, "ivo", "Ivo", domain.RoleInstructor, hash); err != nil {
		t.Fatal(err)
	}
	db.Close()
	a := StartAppConfig(t, cfg)
	b := NewBrowser(t)
	Do(t, b, chromedp.Navigate(a.URL+"/login"))
	signOut := func() {
		t.Helper()
		if Eval[bool](t, b, `!!document.querySelector('[data-testid="logout"]')`) {
			Do(t, b, chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
		}
	}
	signInAs := func(user, password string) {
		t.Helper()
		signOut()
		Do(t, b, chromedp.Navigate(a.URL+"/login"),
			chromedp.SetValue(chromedp.CSS(`input[name="username"]`), user),
			chromedp.SetValue(chromedp.CSS(`input[name="password"]`), password),
			chromedp.Click(chromedp.CSS(`form button[type="submit"].btn-primary`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="domain-card"]`)))
	}

	// The instructor: a class, a roster, two assignments.
	signInAs("ivo", sitePassword)
	Do(t, b, chromedp.Navigate(a.URL+"/classes/new"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="new-class-form"] input[name="id"]`), "kcna-winter"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="new-class-form"] input[name="title"]`), "KCNA winter class"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="new-class-form"] input[name="sections"]`), "mon, thu"),
		chromedp.Submit(chromedp.CSS(`[data-testid="new-class-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="import"]`)))
	roster := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(roster, []byte("username,name,email,section\r\nnora,\"Nora, N.\",nora@example.org,thu\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	Do(t, b, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="import"] input[type="file"]`), []string{roster}),
		chromedp.Click(chromedp.CSS(`[data-testid="import-roster"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="links"]`)))
	link := Attr(t, b, `[data-testid="links"] tr[data-username="nora"] [data-testid="link"]`, "value")
	if !strings.Contains(link, "/set-password/") {
		t.Fatalf("nora's set-password link is %q", link)
	}
	due := time.Now().Add(48 * time.Hour).Format("2006-01-02T15:04")
	assign := func(kind, ref, title string) {
		t.Helper()
		form := `[data-testid="assign-form"] `
		Do(t, b, chromedp.Navigate(a.URL+"/classes/kcna-winter/assignments"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="assign-form"]`)),
			chromedp.SetValue(chromedp.CSS(form+`select[name="kind"]`), kind),
			chromedp.SetValue(chromedp.CSS(form+`input[name="title"]`), title))
		if ref != "" {
			Do(t, b, chromedp.SetValue(chromedp.CSS(form+`input[name="ref"]`), ref))
		}
		// A datetime-local input takes its value from script (chromedp's SetValue types text).
		Eval[string](t, b, `document.querySelector('[data-testid="assign-form"] input[name="due"]').value = "`+due+`"`)
		if kind == "exam" {
			Do(t, b, chromedp.SetValue(chromedp.CSS(form+`input[name="count"]`), "5"),
				chromedp.SetValue(chromedp.CSS(form+`input[name="minutes"]`), "15"),
				chromedp.SetValue(chromedp.CSS(form+`select[name="review"]`), "immediately"))
		}
		// The page before the submit has an assignments list too: wait for the new one's row,
		// or the check reads the old page while the browser is still posting.
		Do(t, b, chromedp.Click(chromedp.CSS(`[data-testid="assign-submit"]`)))
		sctx, cancel := step(b)
		_, err := chromedp.Run(sctx, chromedp.WaitVisible(chromedp.Search(`//*[@data-testid="assignments"]//tr[contains(., "`+title+`")]`)))
		cancel()
		if err != nil {
			t.Fatalf("assignment %q not listed: %v; page: %s", title, err, Eval[string](t, b, `(document.querySelector("main") || document.body).innerText`))
		}
	}
	assign("exam", "", "Week 1 quiz")
	assign("lab", "deployment-scale", "Scale a Deployment")

	// The student: set a password through the link, then the exam from the dashboard.
	const noraPassword = "winter-is-for-clusters"
	signOut()
	Do(t, b, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="set-password-form"]`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid="set-password-form"] input[name="password"]`), noraPassword),
		chromedp.SetValue(chromedp.CSS(`[data-testid="set-password-form"] input[name="confirm"]`), noraPassword),
		chromedp.Submit(chromedp.CSS(`[data-testid="set-password-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="my-assignments"]`)))
	mine := Text(t, b, `[data-testid="my-assignments"]`)
	if !strings.Contains(mine, "Week 1 quiz") || !strings.Contains(mine, "Scale a Deployment") {
		t.Fatalf("nora's dashboard lists: %q", mine)
	}
	Do(t, b, chromedp.Click(chromedp.Search(`//section[@data-testid="my-assignments"]//a[contains(., "Week 1 quiz")]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="assignment-start"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="assignment-start"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="question"]`)))
	right := 0
	for pos := 1; pos <= 5; pos++ {
		Do(t, b, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="question"][data-position="%d"]`, pos))))
		q := a.Catalog.Question(Attr(t, b, `[data-testid="question"]`, "data-question-id"))
		if q == nil {
			t.Fatal("the exam shows a question the catalog does not have")
		}
		choose := q.Correct()
		if pos == 2 { // one wrong answer
			for i, c := range q.Choices {
				if !c.Correct {
					choose = []int{i}
					break
				}
			}
		} else {
			right++
		}
		for _, v := range choose {
			Do(t, b, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="option"][data-value="%d"]`, v))))
		}
		if pos < 5 {
			Do(t, b, chromedp.Click(chromedp.CSS(`[data-testid="next"]`)))
		}
	}
	Do(t, b, chromedp.WaitVisible(chromedp.CSS(`[data-exam][data-pending="0"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="score"]`)))

	// The instructor's gradebook, and its CSV.
	signInAs("ivo", sitePassword)
	Do(t, b, chromedp.Navigate(a.URL+"/classes/kcna-winter/gradebook"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="gradebook"]`)))
	headers := Eval[[]string](t, b, `[...document.querySelectorAll('[data-testid="gradebook"] thead th[data-assignment-id]')].map(h => h.innerText.split("\n")[0].trim())`)
	cells := Eval[[]string](t, b, `[...document.querySelectorAll('[data-testid="gradebook"] tr[data-username="nora"] td[data-cell]')].map(c => c.dataset.cell)`)
	if len(headers) != 2 || len(cells) != 2 {
		t.Fatalf("gradebook: headers %q, nora's cells %q", headers, cells)
	}
	exam := map[bool]int{true: 0, false: 1}[headers[0] == "Week 1 quiz"]
	want := strconv.Itoa(right*100/5) + "%"
	if !strings.HasPrefix(cells[exam], want) {
		t.Errorf("nora's exam cell on the page is %q, want %s (%d of 5 right)", cells[exam], want, right)
	}
	// The CSV as the signed-in browser downloads it (a synchronous request: Evaluate does not
	// wait for promises).
	body := Eval[string](t, b, `(() => { const x = new XMLHttpRequest(); x.open("GET", "/classes/kcna-winter/gradebook.csv", false); x.send(); return x.responseText; })()`)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("gradebook CSV: %v\n%s", err, body)
	}
	var nora []string
	for _, r := range rows[1:] {
		if r[0] == "nora" {
			nora = r
		}
	}
	if rows[0][0] != "username" || nora == nil || nora[1] != "Nora, N." || nora[2] != "thu" {
		t.Fatalf("gradebook CSV header %q, nora's row %q", rows[0], nora)
	}
	col := slicesIndex(rows[0], headers[exam])
	if col < 0 || nora[col] != cells[exam] {
		t.Errorf("the CSV says %q for nora's %q (column %d of %q), the page %q", at(nora, col), headers[exam], col, rows[0], cells[exam])
	}
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func at(s []string, i int) string {
	if i < 0 || i >= len(s) {
		return ""
	}
	return s[i]
}

package e2e

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// TestBrowserExamPageAgreesWithServer: pressing f keeps one legend, the legend has no
// numbers that read as counts, and ticking more boxes than a question asks leaves the page
// showing exactly what the server stored, before and after a reload.
func TestBrowserExamPageAgreesWithServer(t *testing.T) {
	ctx := NewBrowser(t)
	a := StartApp(t, "")
	n := a.Catalog.Curriculum.Exam.Questions.Value
	Do(t, ctx, chromedp.Navigate(a.URL+"/exams"), chromedp.Click(chromedp.CSS(`[data-testid="start-exam"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="question"]`)))

	for range 3 {
		flagged := Attr(t, ctx, `[data-testid="flag"]`, "data-flagged")
		want := map[string]string{"true": "false", "false": "true"}[flagged]
		// Wait for the toggled button and for htmx to finish swapping and settling.
		Do(t, ctx, chromedp.KeyEvent("f"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="flag"][data-flagged=%q]`, want))),
			chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added`)))
	}
	if got := Eval[int](t, ctx, `document.querySelectorAll('[data-testid="nav-legend"], .legend').length`); got != 1 {
		t.Errorf("after three f presses the page shows %d legends, want 1", got)
	}
	if legend := Text(t, ctx, `.legend`); regexp.MustCompile(`\d`).MatchString(legend) {
		t.Errorf("the legend %q has numbers that read as counts", legend)
	}

	// Find a multiple-answer question.
	base := Eval[string](t, ctx, `location.origin + location.pathname.replace(/\/q\/\d+$/, "")`)
	pos, pick := 0, 0
	for p := 1; p <= n; p++ {
		Do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/q/%d", base, p)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="question"]`)))
		q := a.Catalog.Question(Attr(t, ctx, `[data-testid="question"]`, "data-question-id"))
		if q != nil && q.Type == catalog.Multiple && q.NumCorrect() < len(q.Choices) {
			pos, pick = p, q.NumCorrect()
			break
		}
	}
	if pos == 0 || pick < 1 {
		t.Fatal("no multiple-answer question in the exam")
	}
	// Tick one box more than asked, by mouse.
	for i := 1; i <= pick+1; i++ {
		Do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="question"] [data-testid="option"]:nth-of-type(%d) input`, i))))
	}
	Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-exam][data-pending="0"]`)))
	shown := checkedValues(t, ctx)
	if len(shown) != pick {
		t.Errorf("after ticking %d boxes for a choose-%d question the page shows %d ticked", pick+1, pick, len(shown))
	}
	if msg := Text(t, ctx, `[data-testid="exam-status"]`); !regexp.MustCompile(`asks for \d+ answers`).MatchString(msg) {
		t.Errorf("no message about the extra box: %q", msg)
	}
	Do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="question"]`)))
	if stored := checkedValues(t, ctx); !sameSet(stored, shown) {
		t.Errorf("the page showed %v ticked, the server stored %v", shown, stored)
	}
}

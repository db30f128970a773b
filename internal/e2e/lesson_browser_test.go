package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLessonProgressIsKept: open the dashboard, open a lesson, mark it complete,
// reload, and find the progress kept, on the lesson and on the dashboard.
func TestBrowserLessonProgressIsKept(t *testing.T) {
	ctx := NewBrowser(t)
	a := StartApp(t, "") // the embedded content

	Do(t, ctx, chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="domain-card"]`)))
	done := Text(t, ctx, `[data-testid="lessons-done"]`)
	if !strings.HasPrefix(done, "0 / ") {
		t.Fatalf("fresh learner has %q lessons done", done)
	}
	total := strings.TrimPrefix(done, "0 / ")
	firstLesson := Attr(t, ctx, `[data-testid="continue-lesson"]`, "href")

	// Open the lesson as a learner would and mark it complete; htmx swaps the control in place.
	Do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="continue-lesson"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lesson-title"]`)),
	)
	if Text(t, ctx, `[data-testid="lesson-title"]`) == "" {
		t.Fatal("lesson has no title")
	}
	Do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="mark-complete"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lesson-completed"]`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lesson-title"]`)),
	)
	if got := Text(t, ctx, `[data-testid="lesson-completed"]`); !strings.HasPrefix(got, "Completed") {
		t.Fatalf("after reload the lesson shows %q", got)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, firstLesson) {
		t.Errorf("continue link went to %s, want %s", loc, firstLesson)
	}
	Do(t, ctx, chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="lessons-done"]`)))
	if got := Text(t, ctx, `[data-testid="lessons-done"]`); got != "1 / "+total {
		t.Errorf("dashboard after completing and reloading: %q, want 1 / %s", got, total)
	}
}

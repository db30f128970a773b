package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

// TestIntegrationBrowserLab: a learner starts a lab in the browser, watches the steps appear
// while the cluster is created (htmx polling under the strict CSP), gets the export line, does
// the task with kubectl, presses Check and sees every check pass.
func TestIntegrationBrowserLab(t *testing.T) {
	labtest.RequireKind(t)
	ctx := NewBrowser(t)
	content := testcontent.RepoTree(t)
	a := StartAppConfig(t, app.Config{ContentDir: content, KindNodeImage: labtest.NodeImage()})
	t.Cleanup(func() { // finish the lab so its cluster goes
		if _, err := a.Labs.Stop(context.Background(), a.Local.ID, "hpa"); err == nil {
			wctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, _ = a.Labs.Wait(wctx, a.Local.ID, "hpa", nil)
		}
	})
	tctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	Do(t, tctx,
		chromedp.Navigate(a.URL+"/labs/hpa"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-start"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="lab-start"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-steps"] li`)),
		// The panel polls: the job's first steps appear without a reload.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-steps"] li:nth-child(2)`)),
	)
	// Creating the cluster is the third step (after waiting for a slot and checking the host,
	// which runs docker and can take seconds on a loaded machine): a poll that lands between
	// the second and the third shows two steps without it. Wait for that step's own row, not
	// for any two rows. The bound is generous (a busy host), not a speed assertion.
	wctx, wcancel := context.WithTimeout(tctx, 2*time.Minute)
	_, err := chromedp.Run(wctx, chromedp.WaitVisible(chromedp.Search(`//*[@data-testid="lab-steps"]/li[contains(., "Create kind cluster")]`)))
	wcancel()
	if err != nil {
		t.Errorf("progress never showed the cluster being created: %v (panel: %q)", err,
			Eval[string](t, tctx, `(document.querySelector('[data-testid="lab-session"]') || document.body).innerText`))
	}
	// Still no reload: the panel replaces itself every 2 seconds until the lab is ready. Creating
	// the cluster takes half a minute on an idle machine and longer while other packages' lab
	// tests run beside this one, so this wait is bounded by the test's own 5 minutes, not by
	// the 30 s of one browser step.
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-export"]`))); err != nil {
		t.Fatalf("waiting for the lab to be ready: %v (steps: %q)", err, Text(t, ctx, `[data-testid="lab-steps"]`))
	}
	export := Text(t, tctx, `[data-testid="lab-export"]`)
	kubeconfig, ok := strings.CutPrefix(strings.TrimSpace(export), "export KUBECONFIG=")
	if !ok || !filepath.IsAbs(kubeconfig) {
		t.Fatalf("export line %q", export)
	}
	solution, err := os.ReadFile(filepath.Join(content, "labs", "hpa", "solution.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := labtest.RunScript(context.Background(), solution, kubeconfig, t.TempDir()); err != nil {
		t.Fatalf("solution: %v\n%s", err, out)
	}
	Do(t, tctx, chromedp.Click(chromedp.CSS(`[data-testid="lab-check"]`)))
	// A whole Check is bounded by the server (50 s), which can exceed one browser step.
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-result"]`))); err != nil {
		t.Fatalf("waiting for the check result: %v", err)
	}
	if got := Text(t, tctx, `[data-testid="lab-result"]`); got != "All 1 checks pass" {
		t.Errorf("result = %q", got)
	}
	s, err := a.Labs.Session(context.Background(), a.Local.ID, "hpa")
	if err != nil || s.State != domain.LabReady || s.LastReport == nil {
		t.Errorf("session after check: %+v %v", s, err)
	}
}

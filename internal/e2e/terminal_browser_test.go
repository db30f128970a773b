package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

// TestIntegrationClassroomTerminal runs the classroom set-up on ONE shared kind cluster
// (--lab-isolation namespace): a learner does a lab entirely in the browser terminal (kubectl
// and a heredoc, Check, a reload that finds the shell's files), then two more learners prove
// from inside their toolboxes, through the same exec path, that every step outside their own
// namespace is refused.
func TestIntegrationClassroomTerminal(t *testing.T) {
	labtest.RequireKind(t)
	ctx := NewBrowser(t)
	content := testcontent.RepoTree(t)
	a := StartAppConfig(t, app.Config{ContentDir: content, KindNodeImage: labtest.NodeImage(),
		LabIsolation: "namespace", ToolboxBusybox: labtest.ToolboxBusybox()})
	if a.Labs == nil || !a.Labs.HasToolbox() {
		t.Fatal("the lab service has no toolbox: no kubectl or static busybox to build it from")
	}
	const labID = "deployment-scale"
	users := map[string]int64{"me": a.Local.ID}
	t.Cleanup(func() { // the namespaces go with their sessions; the harness deletes the cluster
		for _, uid := range users {
			if _, err := a.Labs.Stop(context.Background(), uid, labID); err == nil {
				wctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				_, _ = a.Labs.Wait(wctx, uid, labID, nil)
				cancel()
			}
		}
		deleteSharedCluster(t, a)
	})
	tctx, cancel := context.WithTimeout(ctx, 12*time.Minute)
	defer cancel()
	// The first page load may wait for a busy machine (it checks Docker and builds the
	// toolbox image): a generous deadline, not the usual browser step's.
	slow(t, tctx, 3*time.Minute,
		chromedp.Navigate(a.URL+"/labs/"+labID),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-start"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="lab-start"]`)),
	)
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-check"]`))); err != nil {
		t.Fatalf("waiting for the lab to be ready: %v", err)
	}
	openTerminal(t, tctx)
	// The learner's work, typed: kubectl, then a heredoc written to a file in ~ and applied.
	typeLines(t, tctx,
		"kubectl create deployment web --image=kcnaprep.local/labapp:1.0",
		"cat > ~/scale.yaml <<'EOF'",
		"spec:",
		"  replicas: 3",
		"EOF",
		"kubectl patch deployment web --patch-file ~/scale.yaml && kubectl rollout status deployment web --timeout=240s && echo ROLLED-$((40+2))",
	)
	waitTerminal(t, tctx, "ROLLED-42", 5*time.Minute)
	Do(t, tctx, chromedp.Click(chromedp.CSS(`[data-testid="lab-check"]`)))
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-result"]`))); err != nil {
		t.Fatalf("waiting for the check result: %v", err)
	}
	if got := Text(t, tctx, `[data-testid="lab-result"]`); !strings.HasPrefix(got, "All ") || !strings.HasSuffix(got, " checks pass") {
		t.Errorf("result after the terminal session = %q", got)
	}
	// A reload reconnects by itself to a new shell in the same Pod: the file is still there.
	slow(t, tctx, 2*time.Minute, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-terminal"]`)))
	waitConnected(t, tctx)
	typeLines(t, tctx, "grep -c 'replicas: 3' ~/scale.yaml && echo FILE-$((1+1))")
	waitTerminal(t, tctx, "FILE-2", 2*time.Minute)

	t.Run("isolation", func(t *testing.T) { testToolboxIsolation(t, a, users) })
}

// slow runs browser actions with deadline d (a loaded machine may take minutes).
func slow(t *testing.T, ctx context.Context, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, act := range actions {
		sctx, cancel := context.WithTimeout(ctx, d)
		err := chromedp.Do(sctx, act)
		cancel()
		if err != nil {
			t.Fatalf("browser step %d of %d: %v", i+1, len(actions), err)
		}
	}
}

func openTerminal(t *testing.T, ctx context.Context) {
	t.Helper()
	Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="terminal-open"]`)))
	waitConnected(t, ctx)
}

// waitConnected waits for the shell's first output (the toolbox Pod may be starting).
func waitConnected(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("lab-terminal").dataset.connected === "1"`,
		chromedp.WithPollingTimeout(4*time.Minute))); err != nil {
		t.Fatalf("terminal not connected: %v (status %q)", err, Text(t, ctx, `[data-testid="terminal-status"]`))
	}
}

// typeLines types each line into the terminal and presses Enter.
func typeLines(t *testing.T, ctx context.Context, lines ...string) {
	t.Helper()
	// Text goes in as one insertText (what a paste or an IME does): chromedp's key events for
	// a character reach xterm twice (its keydown and its char event), so every letter was
	// doubled. Enter is a key press; a doubled Enter is only an empty line.
	Do(t, ctx, chromedp.Focus(chromedp.CSS(`#lab-terminal .xterm-helper-textarea`)))
	for _, l := range lines {
		if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: l}); err != nil {
			t.Fatalf("type %q: %v", l, err)
		}
		Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	}
}

// waitTerminal waits until the terminal's screen shows want. Markers are computed by the
// shell ($((40+2))), so the typed command line never matches them.
func waitTerminal(t *testing.T, ctx context.Context, want string, d time.Duration) {
	t.Helper()
	js := fmt.Sprintf(`(document.querySelector("#lab-terminal .xterm-rows") || {}).textContent.includes(%q)`, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(d))); err != nil {
		screen, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("#lab-terminal .xterm-rows") || {}).innerText || ""`))
		t.Fatalf("terminal never showed %q: %v; screen:\n%s", want, err, screen)
	}
}

// deleteSharedCluster deletes the run's shared kind cluster (the server keeps it across labs).
func deleteSharedCluster(t *testing.T, a *App) {
	instance, err := a.DB.LabInstance(context.Background())
	if err != nil {
		t.Errorf("lab instance: %v", err)
		return
	}
	name := kind.Prefix + instance + "-shared"
	if out, err := exec.Command("kind", "delete", "cluster", "--name", name).CombinedOutput(); err != nil {
		t.Errorf("delete cluster %s: %v: %s", name, err, out)
	}
}

// Package e2e holds end-to-end tests: the real app on a loopback port, driven by headless
// Chromium (Debian's package) through chromedp. Helpers here start both.
package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/kcnaprep/kcnaprep/internal/app"
)

// App is a running server for a test.
type App struct {
	*app.App
	URL string
}

// StartApp opens the app (contentDir "" serves the embedded content) on a fresh data dir and
// serves it on a random loopback port until the test ends.
func StartApp(t testing.TB, contentDir string) *App {
	t.Helper()
	return StartAppConfig(t, app.Config{ContentDir: contentDir})
}

// StartAppConfig is StartApp with more settings (labs). ShutdownTimeout is set here, and
// DataDir unless the test prepared one (a database with accounts, say).
func StartAppConfig(t testing.TB, cfg app.Config) *App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.ShutdownTimeout = 5 * time.Second
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &App{App: a, URL: "http://" + ln.Addr().String()}
}

// chromiumPath finds Debian's Chromium.
func chromiumPath() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on PATH (Debian: apt-get install chromium)")
}

// NewBrowser starts headless Chromium for the test. Without Chromium the test is skipped,
// unless KCNAPREP_REQUIRE_BROWSER=1 (make test sets it), where it fails.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := chromiumPath()
	if err != nil {
		if os.Getenv("KCNAPREP_REQUIRE_BROWSER") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	// The first call starts the browser; it must not carry a timeout (chromedp's rule).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// stepTimeout bounds one browser step so a missing element fails the test with its selector
// instead of hanging it. It is a guard against hangs, not a performance assertion.
const stepTimeout = 30 * time.Second

func step(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, stepTimeout)
}

// Eval evaluates JavaScript in the page and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Text returns the visible text of the first element matching the CSS selector.
func Text(t testing.TB, ctx context.Context, css string) string {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// Attr returns an attribute of the first element matching the CSS selector.
func Attr(t testing.TB, ctx context.Context, css, name string) string {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	r, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil {
		t.Fatalf("attribute %s of %s: %v", name, css, err)
	}
	return r.Value
}

// Do runs browser steps and fails the test on error.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, st := range steps {
		sctx, cancel := step(ctx)
		err := chromedp.Do(sctx, st)
		cancel()
		if err != nil {
			t.Fatalf("browser step %d of %d: %v", i+1, len(steps), err)
		}
	}
}

// Get fetches a URL with a plain HTTP client (for checks outside the browser).
func Get(url string) (*http.Response, error) { return http.Get(url) }

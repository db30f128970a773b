package lab_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/lab/check"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// harness is one test run's lab engine: the real labs and curriculum, a database, a kind
// backend with the labapp image, and a lab service on it.
type harness struct {
	cat      *catalog.Catalog
	bundles  bundle.Bundles
	db       *store.DB
	instance string
	kind     *kind.Backend
	svc      *lab.Service
	dir      string
	logger   *slog.Logger
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	c := testenv.MustLoadRepoContent(t)
	dir := t.TempDir()
	db := testenv.MustOpenDB(t, nil)
	instance, err := db.LabInstance(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	images := labimage.New(labimage.WithCacheDir(filepath.Join(dir, "bin")), labimage.WithLogger(logger))
	kb := kind.New(instance, filepath.Join(dir, "clusters"), kind.WithNodeImage(labtest.NodeImage()),
		kind.WithImages(images), kind.WithLogger(logger), kind.WithMaxConcurrentCreates(2))
	h := &harness{cat: c.Catalog, bundles: c.Bundles, db: db, instance: instance, kind: kb, dir: dir, logger: logger}
	h.svc = h.service(kb)
	t.Cleanup(h.svc.Close)
	// Whatever happens, no cluster of this run survives it.
	t.Cleanup(func() {
		out, _ := exec.Command("kind", "get", "clusters").Output()
		for _, name := range strings.Fields(string(out)) {
			if strings.HasPrefix(name, kind.Prefix+instance+"-") {
				t.Logf("deleting leftover cluster %s", name)
				_ = kb.DeleteCluster(name)
			}
		}
	})
	return h
}

func (h *harness) service(b backend.Backend, opts ...lab.Option) *lab.Service {
	return lab.NewService(b, h.db, h.cat, h.bundles, append([]lab.Option{lab.WithLogger(h.logger), lab.WithTTL(0),
		lab.WithSessionDir(filepath.Join(h.dir, "sessions"))}, opts...)...)
}

func (h *harness) user(t testing.TB, name string) int64 {
	t.Helper()
	return testenv.MustCreateUser(t, h.db, name, domain.RoleLearner).ID
}

// waitState waits for the session's job and requires the state it ends in.
func waitState(t *testing.T, svc *lab.Service, uid int64, labID string, want domain.LabState) *domain.LabSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s, err := svc.Wait(ctx, uid, labID, nil)
	if err != nil {
		t.Fatalf("%s: wait: %v", labID, err)
	}
	if s.State != want {
		t.Fatalf("%s: state %s, want %s (error: %s; steps: %+v)", labID, s.State, want, s.Error, s.Steps)
	}
	return s
}

// grade runs a Check. A check whose probe pod could not run (check.Inconclusive: not started
// within the check's budget on a loaded machine, cut short) gave no verdict on the lab's state,
// so the Check is run again, twice at most, as a learner would press Check again; a verdict,
// passed or failed, is never retried.
func grade(t *testing.T, svc *lab.Service, uid int64, labID string) *domain.LabReport {
	t.Helper()
	for attempt := 1; ; attempt++ {
		rep, err := svc.Check(context.Background(), uid, labID)
		if err != nil {
			t.Fatalf("%s: check: %v", labID, err)
		}
		var why string
		for ref, c := range results(rep) {
			if !c.Passed && check.Inconclusive(c.Detail) {
				why = ref + ": " + c.Detail
			}
		}
		if why == "" || attempt == 3 {
			return rep
		}
		t.Logf("%s: check %d gave no verdict (%s); checking again", labID, attempt, why)
	}
}

func results(rep *domain.LabReport) map[string]domain.LabCheckResult {
	out := map[string]domain.LabCheckResult{}
	for _, task := range rep.Tasks {
		for _, c := range task.Checks {
			out[task.ID+"/"+c.ID] = c
		}
	}
	return out
}

func describe(rep *domain.LabReport) string {
	var b strings.Builder
	for ref, c := range results(rep) {
		fmt.Fprintf(&b, "\n  %-32s passed=%-5v %s", ref, c.Passed, c.Detail)
	}
	return b.String()
}

func runScript(t *testing.T, name string, script []byte, kubeconfig string) {
	t.Helper()
	out, err := labtest.RunScript(context.Background(), script, kubeconfig, t.TempDir())
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", name, err, out)
	}
}

package lab_test

// These tests drive the session service with a fake backend, because the real backends need a
// Docker engine or a cluster: they pin down the service's own logic (background jobs, states,
// clean-up after failure, per-learner scoping, expiry, crash recovery) in -short runs.
// TestIntegrationLabs runs the same paths on real kind clusters.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

type fixture struct {
	db    *store.DB
	c     *testenv.Content
	fb    *testenv.FakeBackend
	dir   string
	alice int64
	bob   int64
}

// newFixture loads content with one lab that has no set-up (the fake backend has no cluster
// to apply it to).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := testenv.MustLoadContent(t, testcontent.LabFilesWithoutSetup("scale-web"))
	db := testenv.MustOpenDB(t, nil)
	a := testenv.MustCreateUser(t, db, "alice", domain.RoleLearner)
	b := testenv.MustCreateUser(t, db, "bob", domain.RoleLearner)
	return &fixture{db: db, c: c, fb: &testenv.FakeBackend{}, dir: t.TempDir(), alice: a.ID, bob: b.ID}
}

func (f *fixture) service(t *testing.T, opts ...lab.Option) *lab.Service {
	s := lab.NewService(f.fb, f.db, f.c.Catalog, f.c.Bundles, append([]lab.Option{lab.WithSessionDir(f.dir)}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

func settle(t *testing.T, s *lab.Service, uid int64) *domain.LabSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := s.Wait(ctx, uid, "scale-web", nil)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

func TestStartProvisionsInTheBackground(t *testing.T) {
	f := newFixture(t)
	f.fb.Gate = make(chan struct{})
	s := f.service(t)
	ctx := context.Background()
	sess, err := s.Start(ctx, f.alice, "scale-web")
	if err != nil {
		t.Fatal(err)
	}
	if sess.State != domain.LabProvisioning || sess.Cluster != "c-u1" || sess.Namespace != "lab-scale-web" {
		t.Fatalf("right after Start: %+v", sess)
	}
	again, err := s.Start(ctx, f.alice, "scale-web")
	if err != nil || again.ID != sess.ID {
		t.Errorf("second Start made another session: %v %v", again, err)
	}
	if _, err := s.Reset(ctx, f.alice, "scale-web"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("reset while provisioning: %v", err)
	}
	close(f.fb.Gate)
	sess = settle(t, s, f.alice)
	if sess.State != domain.LabReady {
		t.Fatalf("state %s: %s", sess.State, sess.Error)
	}
	var names []string
	for _, st := range sess.Steps {
		names = append(names, st.Name)
		if st.Running() {
			t.Errorf("step %q still running", st.Name)
		}
	}
	if want := []string{"Create fake cluster", "Apply the lab's set-up", "Write your kubeconfig"}; !slices.Equal(names, want) {
		t.Errorf("steps = %v, want %v", names, want)
	}
	st, err := os.Stat(sess.Kubeconfig)
	if err != nil || st.Mode().Perm() != 0o600 || filepath.Dir(sess.Kubeconfig) != f.dir {
		t.Errorf("kubeconfig %s: %v %v", sess.Kubeconfig, st, err)
	}
	path, data, err := s.Kubeconfig(ctx, f.alice, "scale-web")
	if err != nil || path != sess.Kubeconfig || !strings.Contains(string(data), "lab-scale-web") {
		t.Errorf("Kubeconfig = %s %q %v", path, data, err)
	}
}

func TestFailedStartCleansUp(t *testing.T) {
	f := newFixture(t)
	f.fb.Fail = errors.New("docker: daemon not running")
	s := f.service(t)
	if _, err := s.Start(context.Background(), f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	sess := settle(t, s, f.alice)
	if sess.State != domain.LabFailed || !strings.Contains(sess.Error, "daemon not running") {
		t.Fatalf("session = %s %q", sess.State, sess.Error)
	}
	if got := f.fb.Released(); len(got) != 1 || got[0].Namespace != "lab-scale-web" {
		t.Errorf("released = %v, want the planned environment", got)
	}
	failed := sess.Steps[0]
	if failed.Error == "" || sess.Steps[len(sess.Steps)-1].Name != "Clean up" {
		t.Errorf("steps = %+v", sess.Steps)
	}
	// A failed session does not block a new start.
	f.fb.Fail = nil
	next, err := s.Start(context.Background(), f.alice, "scale-web")
	if err != nil || next.ID == sess.ID {
		t.Errorf("restart after failure: %v %v", next, err)
	}
}

func TestSessionsBelongToTheirLearner(t *testing.T) {
	f := newFixture(t)
	s := f.service(t)
	ctx := context.Background()
	if _, err := s.Start(ctx, f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	settle(t, s, f.alice)
	if _, err := s.Session(ctx, f.bob, "scale-web"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bob sees alice's session: %v", err)
	}
	if _, _, err := s.Kubeconfig(ctx, f.bob, "scale-web"); err == nil {
		t.Error("bob got alice's kubeconfig")
	}
	if _, err := s.Stop(ctx, f.bob, "scale-web"); err == nil {
		t.Error("bob stopped alice's lab")
	}
	if _, err := s.RevealHint(ctx, f.bob, "scale-web", "scale"); err == nil {
		t.Error("bob revealed a hint in alice's session")
	}
	mine, _ := s.Sessions(ctx, f.alice)
	theirs, _ := s.Sessions(ctx, f.bob)
	if len(mine) != 1 || len(theirs) != 0 {
		t.Errorf("active: alice %d, bob %d", len(mine), len(theirs))
	}
	for i, want := range []int{1, 1} { // the task has one hint: revealing stops there
		if n, err := s.RevealHint(ctx, f.alice, "scale-web", "scale"); err != nil || n != want {
			t.Errorf("reveal %d = %d, %v", i, n, err)
		}
	}
	if _, err := s.Check(ctx, f.alice, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown lab: %v", err)
	}
}

func TestIdleSessionsExpire(t *testing.T) {
	f := newFixture(t)
	s := f.service(t)
	ctx := context.Background()
	if _, err := s.Start(ctx, f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	sess := settle(t, s, f.alice)
	// Within the TTL nothing happens; past it the session is stopped and its environment released.
	soon := f.service(t, lab.WithTTL(time.Hour), lab.WithClock(func() time.Time { return time.Now().Add(30 * time.Minute) }))
	soon.Reconcile(ctx, false)
	if got := settle(t, s, f.alice); got.State != domain.LabReady {
		t.Fatalf("expired early: %s", got.State)
	}
	late := f.service(t, lab.WithTTL(time.Hour), lab.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) }))
	late.Reconcile(ctx, false)
	got := settle(t, late, f.alice)
	if got.State != domain.LabEnded || got.Job != "expire" {
		t.Fatalf("after the TTL: %s (job %s)", got.State, got.Job)
	}
	if _, err := os.Stat(sess.Kubeconfig); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("kubeconfig of an ended session still there: %v", err)
	}
	if len(f.fb.Released()) != 1 {
		t.Errorf("released = %v", f.fb.Released())
	}
}

func TestReconcileRecoversFromACrash(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A job that died with its process: provisioning, no heartbeat for an hour.
	orphan := &domain.LabSession{ID: "orphan", UserID: f.alice, LabID: "scale-web", Backend: "fake", Cluster: "c-u1", Namespace: "lab-scale-web"}
	if err := f.db.CreateLabSession(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	// An environment no session accounts for, and one whose session is alive.
	f.fb.Leftovers = []backend.Found{
		{Ref: backend.Ref{Cluster: "c-u9", Namespace: "lab-x"}, Session: "gone"},
	}
	fresh := f.service(t)
	fresh.Reconcile(ctx, true)
	if got, _ := f.db.LabSessionByID(ctx, f.alice, "orphan"); got.State != domain.LabProvisioning {
		t.Errorf("a job with a recent heartbeat was failed: %s", got.State)
	}
	later := f.service(t, lab.WithClock(func() time.Time { return time.Now().Add(time.Hour) }))
	later.Reconcile(ctx, true)
	got, _ := f.db.LabSessionByID(ctx, f.alice, "orphan")
	if got.State != domain.LabFailed || !strings.Contains(got.Error, "server stopped") {
		t.Errorf("orphaned job: %s %q", got.State, got.Error)
	}
	released := f.fb.Released()
	if !slices.Contains(released, backend.Ref{Cluster: "c-u9", Namespace: "lab-x"}) {
		t.Errorf("leftover not released: %v", released)
	}
}

// TestCloseEndsAJobWaitingInProvision: closing the service cancels a job still provisioning
// (the fake backend waits at its gate but honours ctx), so Close returns, the session ends
// failed and what the job made is released; a test that fails before opening the gate ends
// at once instead of hanging until the test timeout.
func TestCloseEndsAJobWaitingInProvision(t *testing.T) {
	f := newFixture(t)
	f.fb.Gate = make(chan struct{})
	s := f.service(t)
	ctx := context.Background()
	sess, err := s.Start(ctx, f.alice, "scale-web")
	if err != nil {
		t.Fatal(err)
	}
	// A minute is a hang guard, not a speed limit: a backend ignoring ctx fails here.
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		t.Fatalf("Shutdown = %v: the job did not end when cancelled", err)
	}
	got, err := f.db.LabSessionByID(ctx, f.alice, sess.ID)
	if err != nil || got.State != domain.LabFailed || !strings.Contains(got.Error, "context canceled") {
		t.Errorf("after Shutdown: %+v %v, want failed by the cancelled job", got, err)
	}
	if len(f.fb.Released()) != 1 {
		t.Errorf("released %v, want the half-made environment", f.fb.Released())
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
}

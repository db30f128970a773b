package lab_test

// The warm pool's logic, on a fake backend that can pool (no Docker in -short runs) and the
// real SQLite store: claims, atomicity, refills, restarts, leftovers. TestIntegrationLabPool
// runs the same paths on a real kind cluster.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

type poolFixture struct {
	*fixture
	pf *testenv.FakePool
}

// newPoolFixture has two namespace labs without set-up, so a learner's second lab can share
// their claimed cluster.
func newPoolFixture(t *testing.T) *poolFixture {
	t.Helper()
	files := testcontent.LabFilesWithoutSetup("scale-web")
	maps.Copy(files, testcontent.LabFilesWithoutSetup("scale-api"))
	c := testenv.MustLoadContent(t, files)
	db := testenv.MustOpenDB(t, nil)
	a := testenv.MustCreateUser(t, db, "alice", domain.RoleLearner)
	b := testenv.MustCreateUser(t, db, "bob", domain.RoleLearner)
	pf := testenv.NewFakePool()
	return &poolFixture{fixture: &fixture{db: db, c: c, fb: pf.FakeBackend, dir: t.TempDir(), alice: a.ID, bob: b.ID}, pf: pf}
}

func (f *poolFixture) service(t *testing.T, opts ...lab.Option) *lab.Service {
	s := lab.NewService(f.pf, f.db, f.c.Catalog, f.c.Bundles, append([]lab.Option{lab.WithSessionDir(f.dir)}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

func ready(t *testing.T, s *lab.Service) []*domain.LabPoolEnv {
	t.Helper()
	envs, err := s.PoolStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []*domain.LabPoolEnv
	for _, e := range envs {
		if e.State == domain.LabPoolReady {
			out = append(out, e)
		}
	}
	return out
}

func waitLab(t *testing.T, s *lab.Service, uid int64, labID string) *domain.LabSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sess, err := s.Wait(ctx, uid, labID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

func metric(t *testing.T, s *lab.Service, name string) prometheus.Collector {
	t.Helper()
	for _, c := range s.Collectors() {
		if strings.Contains(describeCollector(c), `fqName: "`+name+`"`) {
			return c
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}

func describeCollector(c prometheus.Collector) string {
	ch := make(chan *prometheus.Desc, 4)
	c.Describe(ch)
	close(ch)
	var sb strings.Builder
	for d := range ch {
		sb.WriteString(d.String())
	}
	return sb.String()
}

// A Start claims a prepared environment and applies only the lab's set-up; the learner's next
// namespace lab shares that cluster; with the pool empty, the next learner starts cold.
func TestPoolWarmStart(t *testing.T) {
	f := newPoolFixture(t)
	s := f.service(t)
	ctx := context.Background()
	if err := s.WarmPool(ctx, 1); err != nil {
		t.Fatal(err)
	}
	pooled := ready(t, s)
	if len(pooled) != 1 {
		t.Fatalf("after warming 1: %d ready", len(pooled))
	}
	if got := testutil.ToFloat64(metric(t, s, "kcnaprep_lab_pool_ready")); got != 1 {
		t.Errorf("kcnaprep_lab_pool_ready = %v, want 1", got)
	}
	if _, err := s.Start(ctx, f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	sess := waitLab(t, s, f.alice, "scale-web")
	if sess.State != domain.LabReady || sess.Cluster != pooled[0].Cluster || sess.Namespace != "lab-scale-web" {
		t.Fatalf("warm start: %s on %s/%s, want ready on %s/lab-scale-web (%s)", sess.State, sess.Cluster, sess.Namespace, pooled[0].Cluster, sess.Error)
	}
	if !slices.ContainsFunc(sess.Steps, func(st domain.LabStep) bool { return st.Name == "Claim a prepared cluster" }) ||
		slices.ContainsFunc(sess.Steps, func(st domain.LabStep) bool { return st.Name == "Create fake cluster" }) {
		t.Errorf("warm start steps: %+v", sess.Steps)
	}
	if n := len(ready(t, s)); n != 0 {
		t.Errorf("after the claim the pool has %d ready", n)
	}
	if got := testutil.ToFloat64(metric(t, s, "kcnaprep_lab_pool_ready")); got != 0 {
		t.Errorf("kcnaprep_lab_pool_ready = %v after the claim, want 0", got)
	}
	// Alice's second namespace lab goes to her (claimed) cluster.
	if _, err := s.Start(ctx, f.alice, "scale-api"); err != nil {
		t.Fatal(err)
	}
	if second := waitLab(t, s, f.alice, "scale-api"); second.Cluster != sess.Cluster || second.State != domain.LabReady {
		t.Errorf("alice's second lab on %s (%s), want her cluster %s", second.Cluster, second.State, sess.Cluster)
	}
	// Bob finds the pool empty: a cold start on a cluster of his own.
	if _, err := s.Start(ctx, f.bob, "scale-web"); err != nil {
		t.Fatal(err)
	}
	if cold := waitLab(t, s, f.bob, "scale-web"); cold.Cluster != "c-u2" || cold.State != domain.LabReady {
		t.Errorf("bob's cold start on %s (%s)", cold.Cluster, cold.State)
	}
	start := metric(t, s, "kcnaprep_lab_start_seconds")
	if n := testutil.CollectAndCount(start); n != 2 {
		t.Errorf("kcnaprep_lab_start_seconds has %d series, want warm and cold", n)
	}
	out, err := testutil.CollectAndFormat(start, expfmt.TypeTextPlain, "kcnaprep_lab_start_seconds")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`kcnaprep_lab_start_seconds_count{path="warm"} 1`, `kcnaprep_lab_start_seconds_count{path="cold"} 2`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("start metrics lack %s:\n%s", want, out)
		}
	}
}

// Many learners starting at once with one prepared environment: exactly one gets it.
func TestPoolClaimIsAtomic(t *testing.T) {
	f := newPoolFixture(t)
	s := f.service(t)
	ctx := context.Background()
	if err := s.WarmPool(ctx, 1); err != nil {
		t.Fatal(err)
	}
	pooled := ready(t, s)[0].Cluster
	users := make([]int64, 8)
	for i := range users {
		users[i] = testenv.MustCreateUser(t, f.db, fmt.Sprintf("class-%d", i), domain.RoleLearner).ID
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			if _, err := s.Start(ctx, u, "scale-web"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	warm := 0
	for _, u := range users {
		if sess := waitLab(t, s, u, "scale-web"); sess.Cluster == pooled {
			warm++
		} else if sess.State != domain.LabReady {
			t.Errorf("cold start failed: %s", sess.Error)
		}
	}
	if warm != 1 {
		t.Errorf("%d learners got the one pooled environment", warm)
	}
}

// Reconciliation after a restart: a ready pooled environment is adopted (kept, counted), one
// deleted outside kcnaprep is forgotten, one whose preparation died with the old process is
// deleted, and a pooled cluster with no row is a leftover.
func TestPoolReconcile(t *testing.T) {
	f := newPoolFixture(t)
	ctx := context.Background()
	old := f.service(t)
	if err := old.WarmPool(ctx, 2); err != nil {
		t.Fatal(err)
	}
	envs := ready(t, old)
	old.Close()
	vanished := envs[1].Cluster
	_ = f.pf.DeleteCluster(vanished) // deleted outside kcnaprep
	dead := &domain.LabPoolEnv{ID: "dead", Backend: "fake", Cluster: "pool-dead"}
	if err := f.db.AddLabPoolEnv(ctx, dead); err != nil {
		t.Fatal(err)
	}
	f.pf.Exists("pool-dead")
	f.pf.Exists("pool-stray")

	// Right after the restart, the preparation that is not stale yet is left alone.
	restarted := f.service(t)
	restarted.Reconcile(ctx, true)
	if slices.Contains(f.pf.Deleted(), "pool-dead") {
		t.Error("a preparation within its heartbeat window was deleted")
	}
	later := f.service(t, lab.WithClock(func() time.Time { return time.Now().Add(time.Hour) }))
	later.Reconcile(ctx, true)
	left, _ := later.PoolStatus(ctx)
	if len(left) != 1 || left[0].Cluster != envs[0].Cluster || left[0].State != domain.LabPoolReady {
		t.Errorf("after reconciling, the pool holds %+v, want only the adopted %s", left, envs[0].Cluster)
	}
	for _, gone := range []string{"pool-dead", "pool-stray"} {
		if !slices.Contains(f.pf.Deleted(), gone) {
			t.Errorf("%s not deleted (deleted: %v)", gone, f.pf.Deleted())
		}
	}
	if slices.Contains(f.pf.Deleted(), envs[0].Cluster) {
		t.Errorf("the adopted %s was deleted", envs[0].Cluster)
	}
	if got := testutil.ToFloat64(metric(t, later, "kcnaprep_lab_pool_ready")); got != 1 {
		t.Errorf("kcnaprep_lab_pool_ready = %v after adoption, want 1", got)
	}
	// And the adopted environment is claimed by the next Start.
	if _, err := later.Start(ctx, f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	if sess := waitLab(t, later, f.alice, "scale-web"); sess.Cluster != envs[0].Cluster {
		t.Errorf("start after restart on %s, want the adopted %s", sess.Cluster, envs[0].Cluster)
	}
}

// Run keeps the pool at its size: a claim is refilled in the background; a failed preparation
// leaves neither a row nor an environment.
func TestPoolRefills(t *testing.T) {
	f := newPoolFixture(t)
	s := f.service(t, lab.WithPool(1), lab.WithReconcileInterval(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitPool := func(want int) []*domain.LabPoolEnv {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			if got := ready(t, s); len(got) == want {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("pool never reached %d ready", want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	first := waitPool(1)
	if _, err := s.Start(context.Background(), f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	refill := waitPool(1)
	if refill[0].ID == first[0].ID {
		t.Error("the claimed environment is still in the pool")
	}

	f.pf.FailPrepare(fmt.Errorf("no room"))
	err := s.WarmPool(context.Background(), 2)
	if err == nil || !strings.Contains(err.Error(), "no room") {
		t.Fatalf("failed preparation: %v", err)
	}
	all, _ := s.PoolStatus(context.Background())
	if len(all) != 1 {
		t.Errorf("after a failed preparation the pool holds %d rows, want 1", len(all))
	}
	if d := f.pf.Deleted(); len(d) != 1 || !strings.HasPrefix(d[0], "pool-") {
		t.Errorf("the failed environment was not discarded: %v", d)
	}
}

// nsPool pools namespaces of one shared cluster, as the shared backend does in namespace
// isolation: it serves namespace labs only, and a claimed namespace keeps its pooled name.
type nsPool struct{ *testenv.FakePool }

func (p nsPool) PoolRef(id string) (backend.Ref, error) {
	return backend.Ref{Cluster: "shared", Namespace: "pool-" + id}, nil
}
func (p nsPool) Serves(req backend.Request) bool { return req.Scope == domain.LabScopeNamespace }
func (p nsPool) ClaimRef(req backend.Request, pooled backend.Ref) (backend.Ref, error) {
	return pooled, nil
}

// In namespace isolation every namespace lab claims a pooled namespace, a learner's second
// lab too (the claimed cluster of cluster isolation does not apply), and each keeps the
// pooled name; an empty pool starts cold.
func TestPoolNamespaces(t *testing.T) {
	f := newPoolFixture(t)
	s := lab.NewService(nsPool{f.pf}, f.db, f.c.Catalog, f.c.Bundles, lab.WithSessionDir(f.dir))
	t.Cleanup(s.Close)
	ctx := context.Background()
	if err := s.WarmPool(ctx, 2); err != nil {
		t.Fatal(err)
	}
	pooled := map[string]bool{}
	for _, e := range ready(t, s) {
		pooled[e.Namespace] = true
	}
	for _, labID := range []string{"scale-web", "scale-api"} {
		if _, err := s.Start(ctx, f.alice, labID); err != nil {
			t.Fatal(err)
		}
		sess := waitLab(t, s, f.alice, labID)
		if sess.State != domain.LabReady || !pooled[sess.Namespace] || sess.Cluster != "shared" {
			t.Fatalf("%s: %s in %s/%s, want ready in a pooled namespace of %v", labID, sess.State, sess.Cluster, sess.Namespace, pooled)
		}
		delete(pooled, sess.Namespace)
		if !slices.ContainsFunc(sess.Steps, func(st domain.LabStep) bool { return st.Name == "Claim a prepared namespace" }) {
			t.Errorf("%s: steps %+v", labID, sess.Steps)
		}
	}
	if _, err := s.Start(ctx, f.bob, "scale-web"); err != nil {
		t.Fatal(err)
	}
	if cold := waitLab(t, s, f.bob, "scale-web"); cold.Namespace != "lab-scale-web" || cold.State != domain.LabReady {
		t.Errorf("with the pool empty: %s in %s", cold.State, cold.Namespace)
	}
}

// A cluster lab's reset takes a pooled cluster instead of recreating its own, and its old
// cluster is deleted; with the pool empty it resets as before, on its own cluster.
func TestPoolResetClusterLab(t *testing.T) {
	files := testcontent.LabFilesWithoutSetup("nodes")
	files["labs/nodes/lab.yaml"] = strings.Replace(files["labs/nodes/lab.yaml"], "scope: namespace", "scope: cluster", 1)
	c := testenv.MustLoadContent(t, files)
	db := testenv.MustOpenDB(t, nil)
	alice := testenv.MustCreateUser(t, db, "alice", domain.RoleLearner).ID
	pf := testenv.NewFakePool()
	s := lab.NewService(pf, db, c.Catalog, c.Bundles, lab.WithSessionDir(t.TempDir()))
	t.Cleanup(s.Close)
	ctx := context.Background()
	if err := s.WarmPool(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(ctx, alice, "nodes"); err != nil {
		t.Fatal(err)
	}
	first := waitLab(t, s, alice, "nodes")
	if err := s.WarmPool(ctx, 1); err != nil {
		t.Fatal(err)
	}
	next := ready(t, s)[0].Cluster
	if _, err := s.Reset(ctx, alice, "nodes"); err != nil {
		t.Fatal(err)
	}
	reset := waitLab(t, s, alice, "nodes")
	if reset.State != domain.LabReady || reset.Cluster != next || first.Cluster == next {
		t.Fatalf("reset from the pool: %s on %s, want ready on the pooled %s (was on %s): %s", reset.State, reset.Cluster, next, first.Cluster, reset.Error)
	}
	if !slices.ContainsFunc(reset.Steps, func(st domain.LabStep) bool { return st.Name == "Claim a prepared cluster" }) {
		t.Errorf("reset steps %+v", reset.Steps)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !slices.Contains(pf.Released(), backend.Ref{Cluster: first.Cluster, Namespace: first.Namespace}) {
		if time.Now().After(deadline) {
			t.Fatalf("the old cluster %s was not released: %v", first.Cluster, pf.Released())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The pool is empty now: the reset recreates the lab's own cluster.
	if _, err := s.Reset(ctx, alice, "nodes"); err != nil {
		t.Fatal(err)
	}
	if again := waitLab(t, s, alice, "nodes"); again.State != domain.LabReady || again.Cluster != next ||
		!slices.ContainsFunc(again.Steps, func(st domain.LabStep) bool { return st.Name == "Wipe" }) {
		t.Errorf("reset with an empty pool: %s on %s, steps %+v", again.State, again.Cluster, again.Steps)
	}
}

package lab_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kubeconfig"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// provePlaysOut runs one lab through a service: set-up, every check fails; each near miss
// fails the checks it names (then reset); solution.sh passes every check; finish.
func provePlaysOut(t *testing.T, svc *lab.Service, uid int64, l *catalog.Lab, b *bundle.Bundle) {
	t0 := time.Now()
	if _, err := svc.Start(context.Background(), uid, l.ID); err != nil {
		t.Fatalf("start: %v", err)
	}
	s := waitState(t, svc, uid, l.ID, domain.LabReady)
	tReady := time.Since(t0)
	rep := grade(t, svc, uid, l.ID)
	timing := checkTiming{lab: l.ID, untouched: rep.Took}
	for ref, c := range results(rep) {
		if c.Passed {
			t.Errorf("before any work, %s already passes: a check must require the learner to act", ref)
		}
	}
	for _, nm := range b.NearMisses {
		runScript(t, "nearmiss/"+nm.Name+".sh", nm.Script, s.Kubeconfig)
		rep := grade(t, svc, uid, l.ID)
		timing.nearMisses = append(timing.nearMisses, rep.Took)
		got := results(rep)
		for _, ref := range nm.Fails {
			if got[ref].Passed {
				t.Errorf("near miss %s: %s passes, and must fail%s", nm.Name, ref, describe(rep))
			}
		}
		if _, err := svc.Reset(context.Background(), uid, l.ID); err != nil {
			t.Fatalf("reset after near miss %s: %v", nm.Name, err)
		}
		s = waitState(t, svc, uid, l.ID, domain.LabReady)
	}
	// Every other correct way must pass too: graders that reject correct work are the worst.
	for _, alt := range b.Alternatives {
		runScript(t, "alternatives/"+alt.Name+".sh", alt.Script, s.Kubeconfig)
		if rep := grade(t, svc, uid, l.ID); !rep.AllPassed() {
			t.Errorf("after alternative %s, not every check passes:%s", alt.Name, describe(rep))
		}
		if _, err := svc.Reset(context.Background(), uid, l.ID); err != nil {
			t.Fatalf("reset after alternative %s: %v", alt.Name, err)
		}
		s = waitState(t, svc, uid, l.ID, domain.LabReady)
	}
	runScript(t, "solution.sh", b.Solution, s.Kubeconfig)
	rep = grade(t, svc, uid, l.ID)
	if !rep.AllPassed() {
		t.Errorf("after solution.sh, not every check passes:%s", describe(rep))
	}
	timing.solved = rep.Took
	timings.add(timing)
	if _, err := svc.Stop(context.Background(), uid, l.ID); err != nil {
		t.Fatalf("stop: %v", err)
	}
	waitState(t, svc, uid, l.ID, domain.LabEnded)
	t.Logf("%s: ready in %.1fs, %d near misses, %d alternatives, final check %.1fs, total %.1fs", l.ID, tReady.Seconds(),
		len(b.NearMisses), len(b.Alternatives), rep.Took.Seconds(), time.Since(t0).Seconds())
}

// checkTiming is how long Check took on one lab: untouched, after each near miss, solved.
type checkTiming struct {
	lab               string
	untouched, solved time.Duration
	nearMisses        []time.Duration
}

// timingLog collects the labs' Check latencies for the suite's log.
type timingLog struct {
	mu sync.Mutex
	ts []checkTiming
}

var timings timingLog

func (l *timingLog) add(t checkTiming) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ts = append(l.ts, t)
}

// table renders the latencies, one lab a line, sorted by lab.
func (l *timingLog) table() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.SortFunc(l.ts, func(a, b checkTiming) int { return strings.Compare(a.lab, b.lab) })
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-22s %10s %8s  %s", "lab", "untouched", "solved", "near misses")
	for _, t := range l.ts {
		nm := make([]string, len(t.nearMisses))
		for i, d := range t.nearMisses {
			nm[i] = fmt.Sprintf("%.1fs", d.Seconds())
		}
		fmt.Fprintf(&b, "\n%-22s %9.1fs %7.1fs  %s", t.lab, t.untouched.Seconds(), t.solved.Seconds(), strings.Join(nm, " "))
	}
	return b.String()
}

// runAll runs fn for every lab, parallel goroutines (not t.Parallel, which -parallel would cap
// at GOMAXPROCS: these subtests mostly wait on the cluster).
func runAll(t *testing.T, labs []*catalog.Lab, parallel int, fn func(t *testing.T, l *catalog.Lab)) {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, l := range labs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(l.ID, func(t *testing.T) { fn(t, l) })
		}()
	}
	wg.Wait()
}

// TestIntegrationLabs proves every lab on real clusters. The learner's kind cluster is created
// once and reused: namespace labs run in it through the existing-cluster backend (so their
// solutions must work with the learner's namespace-only ServiceAccount), while cluster labs get
// clusters of their own from the kind backend. Then the kind backend's own life cycle is
// exercised on the shared cluster: reset, restart adoption, leftover clean-up, idle expiry.
func TestIntegrationLabs(t *testing.T) {
	labtest.RequireKind(t)
	t0 := time.Now()
	h := newHarness(t)
	ctx := context.Background()
	learner := h.user(t, "learner")

	// The learner's cluster, created by starting a namespace lab on the kind backend.
	const anchor = "deployment-scale"
	if _, err := h.svc.Start(ctx, learner, anchor); err != nil {
		t.Fatal(err)
	}
	anchorSess := waitState(t, h.svc, learner, anchor, domain.LabReady)
	t.Logf("learner's cluster %s ready in %.1fs", anchorSess.Cluster, time.Since(t0).Seconds())

	existing, err := kubeconfig.New(h.instance+"x", h.kind.KubeconfigPath(anchorSess.Cluster))
	if err != nil {
		t.Fatal(err)
	}
	classroom := h.service(existing)
	defer classroom.Close()

	var nsLabs, clusterLabs []*catalog.Lab
	only := strings.Split(os.Getenv("KCNAPREP_LABS"), ",") // a developer's shortcut: KCNAPREP_LABS=probes,hpa
	for _, l := range h.cat.Labs {
		if only[0] != "" && !slices.Contains(only, l.ID) {
			continue
		}
		if l.Scope == domain.LabScopeCluster {
			clusterLabs = append(clusterLabs, l)
		} else {
			nsLabs = append(nsLabs, l)
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		t.Run("cluster-labs-on-kind", func(t *testing.T) {
			runAll(t, clusterLabs, 2, func(t *testing.T, l *catalog.Lab) {
				provePlaysOut(t, h.svc, h.user(t, "c-"+l.ID), l, h.bundles.Lab(l.ID))
			})
		})
	}()
	go func() {
		defer wg.Done()
		t.Run("namespace-labs-on-existing-cluster", func(t *testing.T) {
			student := h.user(t, "student")
			runAll(t, nsLabs, 5, func(t *testing.T, l *catalog.Lab) { provePlaysOut(t, classroom, student, l, h.bundles.Lab(l.ID)) })
		})
	}()
	wg.Wait()
	t.Logf("Check latency per lab:%s", timings.table())
	t.Run("isolation", func(t *testing.T) { testIsolation(t, h, classroom) })
	t.Run("kind-lifecycle", func(t *testing.T) { testKindLifecycle(t, h, learner, anchor) })
	t.Logf("lab suite: %d labs in %.1fs", len(nsLabs)+len(clusterLabs), time.Since(t0).Seconds())
}

// testIsolation: on a shared cluster, one learner's kubeconfig reaches their namespace and
// nothing else.
func testIsolation(t *testing.T, h *harness, svc *lab.Service) {
	ctx := context.Background()
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	for _, u := range []int64{alice, bob} {
		if _, err := svc.Start(ctx, u, "hpa"); err != nil {
			t.Fatal(err)
		}
	}
	a := waitState(t, svc, alice, "hpa", domain.LabReady)
	b := waitState(t, svc, bob, "hpa", domain.LabReady)
	if a.Namespace == b.Namespace {
		t.Fatalf("alice and bob share namespace %s", a.Namespace)
	}
	_, data, err := svc.Kubeconfig(ctx, alice, "hpa")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := kube.ConfigFromKubeconfig(data)
	if err != nil {
		t.Fatal(err)
	}
	as, err := kube.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as.Typed.AppsV1().Deployments(a.Namespace).Get(ctx, "frontend", metav1.GetOptions{}); err != nil {
		t.Errorf("alice cannot read her own lab: %v", err)
	}
	forbidden := map[string]error{}
	_, forbidden["read bob's namespace"] = as.Typed.CoreV1().Pods(b.Namespace).List(ctx, metav1.ListOptions{})
	nodes, err := as.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Errorf("alice cannot list nodes, which labs tell her to look at: %v", err)
	} else {
		forbidden["delete a node"] = as.Typed.CoreV1().Nodes().Delete(ctx, nodes.Items[0].Name, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
	}
	if _, err := as.Typed.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("alice cannot list storage classes, which labs tell her to look at: %v", err)
	}
	_, forbidden["list Pods of every namespace"] = as.Typed.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	_, forbidden["list persistent volumes"] = as.Typed.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	_, forbidden["list namespaces"] = as.Typed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	_, forbidden["create a ClusterRole"] = as.Typed.RbacV1().ClusterRoles().Create(ctx,
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "alice-escalates"}}, metav1.CreateOptions{})
	_, forbidden["relabel her namespace"] = as.Typed.CoreV1().Namespaces().Patch(ctx, a.Namespace, "application/merge-patch+json",
		[]byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"privileged"}}}`), metav1.PatchOptions{})
	for what, err := range forbidden {
		if !apierrors.IsForbidden(err) {
			t.Errorf("alice could %s (err %v)", what, err)
		}
	}
	// Pod Security: a privileged Pod is refused in her namespace.
	priv := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "root"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "x", Image: "kcnaprep.local/labapp:1.0", SecurityContext: &corev1.SecurityContext{Privileged: ptrTo(true)}}}}}
	if _, err := as.Typed.CoreV1().Pods(a.Namespace).Create(ctx, priv, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("privileged pod accepted in a classroom namespace: %v", err)
	}
	for _, u := range []int64{alice, bob} {
		if _, err := svc.Stop(ctx, u, "hpa"); err != nil {
			t.Fatal(err)
		}
		waitState(t, svc, u, "hpa", domain.LabEnded)
	}
}

func ptrTo[T any](v T) *T { return &v }

// testKindLifecycle exercises the kind backend's session on the learner's shared cluster.
func testKindLifecycle(t *testing.T, h *harness, learner int64, labID string) {
	ctx := context.Background()
	b := h.bundles.Lab(labID)
	s, err := h.svc.Session(ctx, learner, labID)
	if err != nil || s.State != domain.LabReady {
		t.Fatalf("anchor session: %+v %v", s, err)
	}
	runScript(t, "solution.sh", b.Solution, s.Kubeconfig)
	if rep := grade(t, h.svc, learner, labID); !rep.AllPassed() {
		t.Fatalf("solution on kind:%s", describe(rep))
	}
	// Reset: back to the set-up state, so the checks fail again.
	if _, err := h.svc.Reset(ctx, learner, labID); err != nil {
		t.Fatal(err)
	}
	waitState(t, h.svc, learner, labID, domain.LabReady)
	for ref, c := range results(grade(t, h.svc, learner, labID)) {
		if c.Passed {
			t.Errorf("after reset %s still passes", ref)
		}
	}

	// A restart: a new service on the same database adopts the ready session (rewriting a lost
	// kubeconfig), fails a job that died with the old process and deletes a namespace no
	// session accounts for.
	if err := os.Remove(s.Kubeconfig); err != nil {
		t.Fatal(err)
	}
	env, err := h.kind.Attach(ctx, backend.Request{}, backend.Ref{Cluster: s.Cluster, Namespace: s.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	ghost := "lab-ghost"
	if err := env.Client.EnsureNamespace(ctx, ghost, map[string]string{kube.LabelManaged: "true",
		kube.LabelInstance: h.instance, kube.LabelSession: "ghost"}); err != nil {
		t.Fatal(err)
	}
	stale := &domain.LabSession{ID: "orphan", UserID: learner, LabID: "hpa", Backend: "kind", Cluster: s.Cluster, Namespace: "lab-hpa"}
	if err := h.db.CreateLabSession(ctx, stale); err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	restarted := h.service(h.kind, lab.WithClock(later))
	defer restarted.Close()
	restarted.Reconcile(ctx, true)
	if _, err := os.Stat(s.Kubeconfig); err != nil {
		t.Errorf("adopted session's kubeconfig not rewritten: %v", err)
	}
	if got, _ := h.db.LabSessionByID(ctx, learner, "orphan"); got.State != domain.LabFailed {
		t.Errorf("orphaned job: state %s, want failed", got.State)
	}
	if got, _ := h.db.LabSessionByID(ctx, learner, s.ID); got.State != domain.LabReady {
		t.Errorf("adopted session: state %s, want ready", got.State)
	}
	err = wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		ns, err := env.Client.Typed.CoreV1().Namespaces().Get(ctx, ghost, metav1.GetOptions{})
		return apierrors.IsNotFound(err) || (err == nil && ns.DeletionTimestamp != nil), nil
	})
	if err != nil {
		t.Errorf("leftover namespace %s not deleted", ghost)
	}

	// Idle expiry: nothing happened for longer than the TTL, so the session is stopped, and the
	// learner's cluster goes with their last session.
	idle := h.service(h.kind, lab.WithTTL(time.Minute), lab.WithClock(later))
	defer idle.Close()
	idle.Reconcile(ctx, false)
	waitState(t, idle, learner, labID, domain.LabEnded)
	out, err := exec.Command("kind", "get", "clusters").Output()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(strings.Fields(string(out)), s.Cluster) {
		t.Errorf("cluster %s still there after the learner's last session expired", s.Cluster)
	}
}

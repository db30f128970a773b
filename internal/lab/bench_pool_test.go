package lab_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/study"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

// BenchmarkLabPaths measures issue 11's table in one run, on the same node image:
//
//   - s/bare: a bare "kind create cluster" until its node is Ready (kubectl wait), the floor;
//   - s/cold: Start -> ready with no cluster and an empty pool, and its steps (logged);
//   - s/check, s/check-uncached: Check of deployment-scale once solved, with the backend's
//     cached client, and with a fresh backend and service each time (a new client, discovery and
//     a docker listing, as every Check did before clients were cached), alternating;
//   - s/reset: Reset of the namespace lab to ready;
//   - s/warm: the first learner of the class, over HTTP: from POST /labs/ID/start to the
//     session panel (GET /labs/ID/session, as htmx polls it) showing data-state="ready", on a
//     pooled cluster;
//   - the class: KCNAPREP_BENCH_CLASS (default 10) learners starting one after another, each
//     lab stopped once ready, with a pool of 3 refilling in the background: each learner's wait
//     is logged, with s/class-max and s/class-mean;
//   - s/reset-cluster-pool: Reset of a cluster lab (node-scheduling) onto a pooled cluster;
//   - s/warm-ns, s/reset-ns: namespace isolation (one shared cluster, a pool of 2 namespaces):
//     Start -> ready claiming a pooled namespace, and Reset of that namespace lab.
//
// Waits poll the store every 50 ms. Run it with:
//
//	go test -run '^$' -bench LabPaths -benchtime 1x -timeout 60m -v ./internal/lab/
func BenchmarkLabPaths(b *testing.B) {
	labtest.RequireKind(b)
	h := newHarness(b)
	ctx := context.Background()
	const labID = "deployment-scale"
	bun := h.bundles.Lab(labID)
	class := 10
	if v, err := strconv.Atoi(os.Getenv("KCNAPREP_BENCH_CLASS")); err == nil && v > 0 {
		class = v
	}

	// The floor.
	name := "kcnaprep-bench-" + h.instance
	t0 := time.Now()
	args := []string{"create", "cluster", "--name", name, "--kubeconfig", b.TempDir() + "/kc"}
	if img := labtest.NodeImage(); img != "" {
		args = append(args, "--image", img)
	}
	if out, err := exec.Command("kind", args...).CombinedOutput(); err != nil {
		b.Fatalf("kind create: %v\n%s", err, out)
	}
	kc := args[5]
	if out, err := exec.Command("kubectl", "--kubeconfig", kc, "wait", "--for=condition=Ready", "node", "--all", "--timeout=600s").CombinedOutput(); err != nil {
		b.Fatalf("kubectl wait: %v\n%s", err, out)
	}
	bare := time.Since(t0)
	b.Logf("bare kind create + node Ready: %.1fs", bare.Seconds())
	if out, err := exec.Command("kind", "delete", "cluster", "--name", name).CombinedOutput(); err != nil {
		b.Fatalf("kind delete: %v\n%s", err, out)
	}

	// Cold start.
	uid := h.user(b, "cold")
	t0 = time.Now()
	if _, err := h.svc.Start(ctx, uid, labID); err != nil {
		b.Fatal(err)
	}
	s := waitFast(b, h.svc, uid, labID)
	cold := time.Since(t0)
	b.Logf("cold start to ready: %.1fs; steps:%s", cold.Seconds(), stepTable(s.Steps))

	// Check, cached and uncached, alternating; then Reset.
	if out, err := labtest.RunScript(ctx, bun.Solution, s.Kubeconfig, b.TempDir()); err != nil {
		b.Fatalf("solution: %v\n%s", err, out)
	}
	const rounds = 3
	var cached, uncached, reset time.Duration
	for range rounds {
		t0 = time.Now()
		if rep, err := h.svc.Check(ctx, uid, labID); err != nil || !rep.AllPassed() {
			b.Fatalf("check: %v %+v", err, rep)
		}
		cached += time.Since(t0)
		t0 = time.Now()
		fresh := kind.New(h.instance, h.dir+"/clusters", kind.WithLogger(h.logger))
		if out, err := exec.Command("docker", "ps", "-a", "--filter", "label=io.x-k8s.kind.cluster", "--format", "{{.Names}}").CombinedOutput(); err != nil {
			b.Fatalf("docker ps: %v\n%s", err, out)
		}
		svc := h.service(fresh)
		if rep, err := svc.Check(ctx, uid, labID); err != nil || !rep.AllPassed() {
			b.Fatalf("uncached check: %v %+v", err, rep)
		}
		uncached += time.Since(t0)
		svc.Close()
	}
	for range rounds {
		t0 = time.Now()
		if _, err := h.svc.Reset(ctx, uid, labID); err != nil {
			b.Fatal(err)
		}
		waitFast(b, h.svc, uid, labID)
		reset += time.Since(t0)
	}
	b.Logf("check (solved) cached %.2fs, uncached %.2fs; reset %.2fs (means of %d)", cached.Seconds()/rounds,
		uncached.Seconds()/rounds, reset.Seconds()/rounds, rounds)
	if _, err := h.svc.Stop(ctx, uid, labID); err != nil {
		b.Fatal(err)
	}
	waitFast(b, h.svc, uid, labID)

	// The class, with a pool of 3 refilling in the background.
	pooled := h.service(h.kind, lab.WithPool(3))
	rctx, cancel := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { _ = pooled.Run(rctx); close(ran) }()
	defer func() { cancel(); <-ran }()
	tFill := time.Now()
	for {
		envs, _ := pooled.PoolStatus(ctx)
		n := 0
		for _, e := range envs {
			if e.State == domain.LabPoolReady {
				n++
			}
		}
		if n == 3 {
			break
		}
		if time.Since(tFill) > 30*time.Minute {
			b.Fatal("the pool never filled")
		}
		time.Sleep(time.Second)
	}
	b.Logf("pool of 3 filled in %.1fs", time.Since(tFill).Seconds())
	web := benchWeb(b, h, pooled)
	var waits []string
	var warm, sum, worst time.Duration
	for i := range class {
		u := h.user(b, fmt.Sprintf("class-%d", i))
		t0 = time.Now()
		if i == 0 { // the first learner through the web, as a browser does it
			u = web.user
			web.startAndWait(b, labID)
		} else if _, err := pooled.Start(ctx, u, labID); err != nil {
			b.Fatal(err)
		}
		s := waitFast(b, pooled, u, labID)
		took := time.Since(t0)
		path := "cold"
		if strings.Contains(s.Cluster, "-pool-") {
			path = "warm"
		}
		if i == 0 {
			warm = took
		}
		b.Logf("learner %d: %s start to ready %.1fs; steps:%s", i+1, path, took.Seconds(), stepTable(s.Steps))
		sum += took
		worst = max(worst, took)
		waits = append(waits, fmt.Sprintf("%d:%.1fs(%s)", i+1, took.Seconds(), path))
		if _, err := pooled.Stop(ctx, u, labID); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("class of %d, one after another, pool of 3: %s", class, strings.Join(waits, " "))

	// A cluster lab started warm, then reset onto another pooled cluster.
	const clusterLab = "node-scheduling"
	cu := h.user(b, "cluster-lab")
	waitPoolReady(b, pooled, 1)
	if _, err := pooled.Start(ctx, cu, clusterLab); err != nil {
		b.Fatal(err)
	}
	before := waitFast(b, pooled, cu, clusterLab)
	waitPoolReady(b, pooled, 1)
	t0 = time.Now()
	if _, err := pooled.Reset(ctx, cu, clusterLab); err != nil {
		b.Fatal(err)
	}
	after := waitFast(b, pooled, cu, clusterLab)
	resetCluster := time.Since(t0)
	b.Logf("cluster lab reset from the pool: %.1fs (cluster %s -> %s); steps:%s", resetCluster.Seconds(), before.Cluster, after.Cluster, stepTable(after.Steps))
	if _, err := pooled.Stop(ctx, cu, clusterLab); err != nil {
		b.Fatal(err)
	}
	waitFast(b, pooled, cu, clusterLab)
	cancel()
	<-ran
	ran = make(chan struct{})
	close(ran)

	// Namespace isolation: one shared cluster, a pool of 2 namespaces.
	var warmNS, resetNS time.Duration
	if os.Getenv("KCNAPREP_BENCH_NS") != "0" {
		sb, tools := sharedBackend(h)
		nsSvc := h.sharedService(sb, tools, lab.WithPool(2))
		defer nsSvc.Close()
		t0 = time.Now()
		if err := nsSvc.WarmPool(ctx, 2); err != nil {
			b.Fatal(err)
		}
		b.Logf("namespace isolation: shared cluster and 2 pooled namespaces ready in %.1fs (toolbox: %v)", time.Since(t0).Seconds(), tools != nil)
		nu := h.user(b, "ns")
		t0 = time.Now()
		if _, err := nsSvc.Start(ctx, nu, labID); err != nil {
			b.Fatal(err)
		}
		s := waitFast(b, nsSvc, nu, labID)
		warmNS = time.Since(t0)
		b.Logf("namespace isolation: warm start to ready %.2fs in %s; steps:%s", warmNS.Seconds(), s.Namespace, stepTable(s.Steps))
		t0 = time.Now()
		if _, err := nsSvc.Reset(ctx, nu, labID); err != nil {
			b.Fatal(err)
		}
		s = waitFast(b, nsSvc, nu, labID)
		resetNS = time.Since(t0)
		b.Logf("namespace isolation: reset %.2fs; steps:%s", resetNS.Seconds(), stepTable(s.Steps))
		if _, err := nsSvc.Stop(ctx, nu, labID); err != nil {
			b.Fatal(err)
		}
		waitFast(b, nsSvc, nu, labID)
	}

	b.ReportMetric(bare.Seconds(), "s/bare")
	b.ReportMetric(cold.Seconds(), "s/cold")
	b.ReportMetric(cold.Seconds()/bare.Seconds(), "cold/bare")
	b.ReportMetric(warm.Seconds(), "s/warm")
	b.ReportMetric(cached.Seconds()/rounds, "s/check")
	b.ReportMetric(uncached.Seconds()/rounds, "s/check-uncached")
	b.ReportMetric(reset.Seconds()/rounds, "s/reset")
	b.ReportMetric(resetCluster.Seconds(), "s/reset-cluster-pool")
	b.ReportMetric(warmNS.Seconds(), "s/warm-ns")
	b.ReportMetric(resetNS.Seconds(), "s/reset-ns")
	b.ReportMetric(sum.Seconds()/float64(class), "s/class-mean")
	b.ReportMetric(worst.Seconds(), "s/class-max")
	b.ReportMetric(0, "ns/op")
}

// waitFast waits for the session's job, polling every 50 ms, and requires it to end ready (or
// ended, for a stop).
func waitFast(tb testing.TB, svc *lab.Service, uid int64, labID string) *domain.LabSession {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	for {
		s, err := svc.Session(ctx, uid, labID)
		if err != nil {
			tb.Fatal(err)
		}
		if !s.State.Busy() {
			if s.State != domain.LabReady && s.State != domain.LabEnded {
				tb.Fatalf("%s: %s: %s (steps:%s)", labID, s.State, s.Error, stepTable(s.Steps))
			}
			return s
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("%s: still %s", labID, s.State)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitPoolReady waits until the pool holds n ready environments.
func waitPoolReady(tb testing.TB, svc *lab.Service, n int) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Minute)
	for {
		envs, _ := svc.PoolStatus(context.Background())
		ready := 0
		for _, e := range envs {
			if e.State == domain.LabPoolReady {
				ready++
			}
		}
		if ready >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the pool never held %d ready", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// benchSite is the web server on a lab service, in single-learner mode.
type benchSite struct {
	url  string
	user int64
}

func benchWeb(tb testing.TB, h *harness, svc *lab.Service) *benchSite {
	tb.Helper()
	u := testenv.MustLocalUser(tb, h.db)
	srv, err := httpserver.New(h.cat, httpserver.WithTrainer(trainer.New(h.cat, h.db)), httpserver.WithStudy(study.New(h.cat, h.db)),
		httpserver.WithLabs(svc), httpserver.WithLocalUser(u), httpserver.WithLogger(h.logger))
	if err != nil {
		tb.Fatal(err)
	}
	srv.SetReady(true)
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return &benchSite{url: ts.URL, user: u.ID}
}

// startAndWait presses Start as the lab page does (htmx) and polls the session panel every
// 50 ms until it shows data-state="ready".
func (w *benchSite) startAndWait(tb testing.TB, labID string) {
	tb.Helper()
	do := func(method, path string) string {
		req, _ := http.NewRequest(method, w.url+path, nil)
		req.Header.Set("HX-Request", "true")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, body)
		}
		return string(body)
	}
	do(http.MethodPost, "/labs/"+labID+"/start")
	deadline := time.Now().Add(20 * time.Minute)
	for !strings.Contains(do(http.MethodGet, "/labs/"+labID+"/session"), `data-state="ready"`) {
		if time.Now().After(deadline) {
			tb.Fatal("the session panel never showed ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package lab_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
)

// BenchmarkLabPaths measures issue 11's table in one run, on the same node image:
//
//   - s/bare: a bare "kind create cluster" until its node is Ready (kubectl wait), the floor;
//   - s/cold: Start -> ready with no cluster and an empty pool, and its steps (logged);
//   - s/check, s/check-uncached: Check of deployment-scale once solved, with the backend's
//     cached client, and with a fresh backend and service each time (a new client, discovery and
//     a docker listing, as every Check did before clients were cached), alternating;
//   - s/reset: Reset of the namespace lab to ready;
//   - s/warm: Start -> ready claiming a pooled cluster;
//   - the class: KCNAPREP_BENCH_CLASS (default 10) learners starting one after another, each
//     lab stopped once ready, with a pool of 3 refilling in the background: each learner's wait
//     is logged, with s/class-max and s/class-mean.
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
	var waits []string
	var warm, sum, worst time.Duration
	for i := range class {
		u := h.user(b, fmt.Sprintf("class-%d", i))
		t0 = time.Now()
		if _, err := pooled.Start(ctx, u, labID); err != nil {
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

	b.ReportMetric(bare.Seconds(), "s/bare")
	b.ReportMetric(cold.Seconds(), "s/cold")
	b.ReportMetric(cold.Seconds()/bare.Seconds(), "cold/bare")
	b.ReportMetric(warm.Seconds(), "s/warm")
	b.ReportMetric(cached.Seconds()/rounds, "s/check")
	b.ReportMetric(uncached.Seconds()/rounds, "s/check-uncached")
	b.ReportMetric(reset.Seconds()/rounds, "s/reset")
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

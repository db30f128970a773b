package lab_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
)

// BenchmarkLabColdStart measures, on the same node image in the same run:
//
//   - s/bare-create: a bare "kind create cluster" (the kind CLI, no wait), the floor;
//   - s/cold-start: Start -> ready for a lab with no cluster yet (create, load labapp, wait for
//     nodes and CoreDNS, namespace, set-up, kubeconfig), and the ratio of the two;
//   - s/check: a whole Check of service-expose once solved (4 checks incl. an HTTP probe through
//     the API server and a probe pod), the slowest kind of lab to grade;
//   - MiB/cluster-host: host memory (MemAvailable) taken by the running lab cluster, and
//     MiB/node-container: the node container's own memory use (docker stats).
//
// Run it with: go test -run '^$' -bench LabColdStart -benchtime 3x ./internal/lab/
func BenchmarkLabColdStart(b *testing.B) {
	labtest.RequireKind(b)
	h := newHarness(b)
	ctx := context.Background()
	const labID = "service-expose"
	bun := h.bundles.Lab(labID)
	var bare, cold, checks, hostMiB, nodeMiB float64
	for i := range b.N {
		// The floor: kind's own CLI, single node, same image.
		name := fmt.Sprintf("kcnaprep-bench-%s-%d", h.instance, i)
		t0 := time.Now()
		args := []string{"create", "cluster", "--name", name, "--kubeconfig", b.TempDir() + "/kc"}
		if img := labtest.NodeImage(); img != "" {
			args = append(args, "--image", img)
		}
		if out, err := exec.Command("kind", args...).CombinedOutput(); err != nil {
			b.Fatalf("kind create: %v\n%s", err, out)
		}
		bare += time.Since(t0).Seconds()
		if out, err := exec.Command("kind", "delete", "cluster", "--name", name).CombinedOutput(); err != nil {
			b.Fatalf("kind delete: %v\n%s", err, out)
		}
		time.Sleep(5 * time.Second) // let the host settle before measuring memory
		before := memAvailableMiB(b)

		uid := h.user(b, fmt.Sprintf("bench-%d", i))
		t0 = time.Now()
		if _, err := h.svc.Start(ctx, uid, labID); err != nil {
			b.Fatal(err)
		}
		s, err := h.svc.Wait(ctx, uid, labID, nil)
		if err != nil || s.State != domain.LabReady {
			b.Fatalf("start: %v %+v", err, s)
		}
		cold += time.Since(t0).Seconds()
		if out, err := labtest.RunScript(ctx, bun.Solution, s.Kubeconfig, b.TempDir()); err != nil {
			b.Fatalf("solution: %v\n%s", err, out)
		}
		time.Sleep(10 * time.Second) // the cluster idles with the lab running
		hostMiB += before - memAvailableMiB(b)
		nodeMiB += nodeMemoryMiB(b, s.Cluster+"-control-plane")
		rep, err := h.svc.Check(ctx, uid, labID)
		if err != nil || !rep.AllPassed() {
			b.Fatalf("check: %v %+v", err, rep)
		}
		checks += rep.Took.Seconds()
		if _, err := h.svc.Stop(ctx, uid, labID); err != nil {
			b.Fatal(err)
		}
		if _, err := h.svc.Wait(ctx, uid, labID, nil); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(bare/n, "s/bare-create")
	b.ReportMetric(cold/n, "s/cold-start")
	b.ReportMetric(cold/bare, "cold/bare")
	b.ReportMetric(checks/n, "s/check")
	b.ReportMetric(hostMiB/n, "MiB/cluster-host")
	b.ReportMetric(nodeMiB/n, "MiB/node-container")
	b.ReportMetric(0, "ns/op") // wall time per op is the sum above, not a useful figure
}

func memAvailableMiB(tb testing.TB) float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		tb.Skip("no /proc/meminfo")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	tb.Fatal("MemAvailable not in /proc/meminfo")
	return 0
}

// nodeMemoryMiB is docker stats' memory use of a container ("412.3MiB / 23.4GiB").
func nodeMemoryMiB(tb testing.TB, container string) float64 {
	out, err := exec.Command("docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", container).Output()
	if err != nil {
		tb.Fatalf("docker stats %s: %v", container, err)
	}
	use, _, _ := strings.Cut(strings.TrimSpace(string(out)), " / ")
	for unit, mul := range map[string]float64{"GiB": 1024, "MiB": 1, "KiB": 1.0 / 1024} {
		if v, ok := strings.CutSuffix(use, unit); ok {
			x, _ := strconv.ParseFloat(v, 64)
			return x * mul
		}
	}
	tb.Fatalf("docker stats: %q", out)
	return 0
}

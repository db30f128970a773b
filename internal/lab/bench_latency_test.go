package lab_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
)

// BenchmarkLabCheckReset measures, on one learner cluster (created once, outside the timings):
//
//   - s/check: a learner's whole Check of service-expose once solved, as the handler calls it
//     (find the session, reach the cluster, grade 4 checks incl. an HTTP probe and a probe pod);
//   - s/reset: a namespace lab's Reset, from the call to the session being ready again (wipe
//     the namespace, apply the set-up, write the kubeconfig).
//
// The cold Start's steps are logged (-v) as a table. Run it with:
//
//	go test -run '^$' -bench LabCheckReset -benchtime 5x -v ./internal/lab/
func BenchmarkLabCheckReset(b *testing.B) {
	labtest.RequireKind(b)
	h := newHarness(b)
	ctx := context.Background()
	const labID = "service-expose"
	bun := h.bundles.Lab(labID)
	uid := h.user(b, "bench")
	if _, err := h.svc.Start(ctx, uid, labID); err != nil {
		b.Fatal(err)
	}
	s, err := h.svc.Wait(ctx, uid, labID, nil)
	if err != nil || s.State != domain.LabReady {
		b.Fatalf("start: %v %+v", err, s)
	}
	b.Logf("cold start steps:%s", stepTable(s.Steps))
	var check, reset time.Duration
	b.ResetTimer()
	for range b.N {
		if out, err := labtest.RunScript(ctx, bun.Solution, s.Kubeconfig, b.TempDir()); err != nil {
			b.Fatalf("solution: %v\n%s", err, out)
		}
		t0 := time.Now()
		rep, err := h.svc.Check(ctx, uid, labID)
		if err != nil || !rep.AllPassed() {
			b.Fatalf("check: %v %+v", err, rep)
		}
		check += time.Since(t0)
		t0 = time.Now()
		if _, err := h.svc.Reset(ctx, uid, labID); err != nil {
			b.Fatal(err)
		}
		if s, err = h.svc.Wait(ctx, uid, labID, nil); err != nil || s.State != domain.LabReady {
			b.Fatalf("reset: %v %+v", err, s)
		}
		reset += time.Since(t0)
	}
	n := float64(b.N)
	b.ReportMetric(check.Seconds()/n, "s/check")
	b.ReportMetric(reset.Seconds()/n, "s/reset")
	b.ReportMetric(0, "ns/op")
}

// stepTable renders a job's steps with how long each took.
func stepTable(steps []domain.LabStep) string {
	var sb strings.Builder
	for _, st := range steps {
		fmt.Fprintf(&sb, "\n  %6.1fs  %s", st.EndedAt.Sub(st.StartedAt).Seconds(), st.Name)
	}
	return sb.String()
}

package lab_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
)

// TestIntegrationLabPool runs the warm pool on one real kind cluster: it is prepared, survives
// a restart (a new backend and service adopt it), a learner's Start claims it and the lab
// plays out on it; deleted outside kcnaprep, the lab says it is gone (the cached client does
// not hide that).
func TestIntegrationLabPool(t *testing.T) {
	labtest.RequireKind(t)
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if err := h.service(h.kind).WarmPool(ctx, 1); err != nil {
		t.Fatal(err)
	}

	// The restart: nothing shared with the first process but the database and the files.
	images := labimage.New(labimage.WithCacheDir(filepath.Join(h.dir, "bin")), labimage.WithLogger(h.logger))
	kb := kind.New(h.instance, filepath.Join(h.dir, "clusters"), kind.WithNodeImage(labtest.NodeImage()),
		kind.WithImages(images), kind.WithLogger(h.logger))
	svc := h.service(kb)
	defer svc.Close()
	svc.Reconcile(ctx, true)
	envs, err := svc.PoolStatus(ctx)
	if err != nil || len(envs) != 1 || envs[0].State != domain.LabPoolReady {
		t.Fatalf("after the restart the pool holds %+v (%v), want 1 ready", envs, err)
	}

	const labID = "deployment-scale"
	uid := h.user(t, "warm")
	if _, err := svc.Start(ctx, uid, labID); err != nil {
		t.Fatal(err)
	}
	s := waitState(t, svc, uid, labID, domain.LabReady)
	if s.Cluster != envs[0].Cluster {
		t.Fatalf("started on %s, want the pooled %s", s.Cluster, envs[0].Cluster)
	}
	if left, _ := svc.PoolStatus(ctx); len(left) != 0 {
		t.Errorf("after the claim the pool holds %+v", left)
	}
	runScript(t, "solution.sh", h.bundles.Lab(labID).Solution, s.Kubeconfig)
	if rep := grade(t, svc, uid, labID); !rep.AllPassed() {
		t.Fatalf("solution on the pooled cluster:%s", describe(rep))
	}

	if out, err := exec.Command("kind", "delete", "cluster", "--name", s.Cluster).CombinedOutput(); err != nil {
		t.Fatalf("kind delete: %v\n%s", err, out)
	}
	if _, err := svc.Check(ctx, uid, labID); domain.ErrorCode(err) != domain.EGONE {
		t.Errorf("check on a deleted cluster: %v, want EGONE", err)
	}
}

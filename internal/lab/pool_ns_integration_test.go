package lab_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kubeconfig"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/shared"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// sharedBackend is a namespace-isolation backend (one shared kind cluster) of the harness's
// installation, with the learners' toolbox when this machine can build it; a new one per
// "process".
func sharedBackend(h *harness) (*shared.Backend, *toolbox.Builder) {
	images := []kind.ImageSource{labimage.New(labimage.WithCacheDir(filepath.Join(h.dir, "bin")), labimage.WithLogger(h.logger))}
	tools := toolbox.New(toolbox.WithBusybox(labtest.ToolboxBusybox()), toolbox.WithLogger(h.logger))
	if tools.Available() != nil {
		tools = nil
	} else {
		images = append(images, tools)
	}
	kb := kind.New(h.instance, filepath.Join(h.dir, "clusters"), kind.WithNodeImage(labtest.NodeImage()),
		kind.WithImages(images...), kind.WithLogger(h.logger))
	return shared.New(kb, h.instance, shared.WithLogger(h.logger)), tools
}

func (h *harness) sharedService(b *shared.Backend, tools *toolbox.Builder, opts ...lab.Option) *lab.Service {
	if tools != nil {
		opts = append(opts, lab.WithToolbox(tools))
	}
	return h.service(b, opts...)
}

// TestIntegrationLabPoolNamespaces runs the warm pool of namespace isolation on ONE real kind
// cluster: two namespaces are prepared with the guard rails, the learner's access and the
// toolbox running; they survive a restart (a new backend and service adopt them); a Start
// claims one and the lab plays out in it (solution, Check, Reset); Stop deletes it; a pooled
// namespace no row accounts for is deleted by reconciliation (never leaked).
func TestIntegrationLabPoolNamespaces(t *testing.T) {
	labtest.RequireKind(t)
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	sb, tools := sharedBackend(h)
	if tools == nil {
		t.Log("no static busybox for the toolbox image: the pool is tested without toolboxes")
	}
	first := h.sharedService(sb, tools)
	if err := first.WarmPool(ctx, 2); err != nil {
		t.Fatal(err)
	}
	first.Close()
	envs, err := first.PoolStatus(ctx)
	if err != nil || len(envs) != 2 {
		t.Fatalf("pool after warming 2: %+v (%v)", envs, err)
	}
	client := adminClient(t, h, sb)
	for _, e := range envs {
		if e.State != domain.LabPoolReady || e.Cluster != "kind-"+sb.SharedCluster() || e.Namespace == "" {
			t.Fatalf("pooled %+v, want a ready namespace of the shared cluster", e)
		}
		ns, err := client.Typed.CoreV1().Namespaces().Get(ctx, e.Namespace, metav1.GetOptions{})
		if err != nil || ns.Labels["pod-security.kubernetes.io/enforce"] != "baseline" || ns.Labels[kube.LabelSession] != "" {
			t.Fatalf("pooled namespace %s: %v %v", e.Namespace, ns.GetLabels(), err)
		}
		if _, err := client.Typed.CoreV1().ServiceAccounts(e.Namespace).Get(ctx, kubeconfig.LearnerName, metav1.GetOptions{}); err != nil {
			t.Errorf("pooled namespace %s has no learner access: %v", e.Namespace, err)
		}
		if tools != nil {
			pod, err := client.Typed.CoreV1().Pods(e.Namespace).Get(ctx, toolbox.PodName, metav1.GetOptions{})
			if err != nil || pod.Status.Phase != "Running" {
				t.Errorf("pooled namespace %s: toolbox %v (%v), want running", e.Namespace, pod.Status.Phase, err)
			}
		}
	}

	// The restart: nothing shared with the first process but the database and the files.
	sb2, tools2 := sharedBackend(h)
	svc := h.sharedService(sb2, tools2)
	defer svc.Close()
	svc.Reconcile(ctx, true)
	after, err := svc.PoolStatus(ctx)
	if err != nil || len(after) != 2 || after[0].State != domain.LabPoolReady {
		t.Fatalf("after the restart the pool holds %+v (%v), want the 2 ready", after, err)
	}

	const labID = "deployment-scale"
	uid := h.user(t, "warm")
	if _, err := svc.Start(ctx, uid, labID); err != nil {
		t.Fatal(err)
	}
	s := waitState(t, svc, uid, labID, domain.LabReady)
	// A claim takes the environment ready longest (then the smaller id); the two were prepared
	// side by side, so the first created need not be the first ready.
	oldest := slices.MinFunc(after, func(a, b *domain.LabPoolEnv) int {
		return cmp.Or(a.ReadyAt.Compare(b.ReadyAt), strings.Compare(a.ID, b.ID))
	})
	if s.Namespace != oldest.Namespace {
		t.Fatalf("started in %s, want the pooled namespace ready longest, %s (pool %+v, %+v)", s.Namespace, oldest.Namespace, after[0], after[1])
	}
	if ns, err := client.Typed.CoreV1().Namespaces().Get(ctx, s.Namespace, metav1.GetOptions{}); err != nil || ns.Labels[kube.LabelSession] != s.ID {
		t.Errorf("claimed namespace labels %v (%v), want session %s", ns.GetLabels(), err, s.ID)
	}
	runScript(t, "solution.sh", h.bundles.Lab(labID).Solution, s.Kubeconfig)
	if rep := grade(t, svc, uid, labID); !rep.AllPassed() {
		t.Fatalf("solution in the pooled namespace:%s", describe(rep))
	}
	if _, err := svc.Reset(ctx, uid, labID); err != nil {
		t.Fatal(err)
	}
	waitState(t, svc, uid, labID, domain.LabReady)
	if rep := grade(t, svc, uid, labID); rep.AllPassed() {
		t.Error("after Reset the lab still passes")
	}
	if _, err := svc.Stop(ctx, uid, labID); err != nil {
		t.Fatal(err)
	}
	waitState(t, svc, uid, labID, domain.LabEnded)
	waitNamespaceGone(t, client, s.Namespace)

	// A pooled namespace no row accounts for (a database restored from before it) is deleted.
	left, err := svc.PoolStatus(ctx)
	if err != nil || len(left) != 1 {
		t.Fatalf("after one claim the pool holds %+v (%v)", left, err)
	}
	if err := h.db.DeleteLabPoolEnv(ctx, left[0].ID); err != nil {
		t.Fatal(err)
	}
	svc.Reconcile(ctx, true)
	waitNamespaceGone(t, client, left[0].Namespace)
}

// adminClient is an admin client of the shared cluster.
func adminClient(t *testing.T, h *harness, sb *shared.Backend) *kube.Client {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.dir, "clusters", sb.SharedCluster()+".kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := kube.ConfigFromKubeconfig(data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kube.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func waitNamespaceGone(t *testing.T, c *kube.Client, ns string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		got, err := c.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err) || (err == nil && got.DeletionTimestamp != nil), nil
	})
	if err != nil {
		t.Errorf("namespace %s is still there: %v", ns, err)
	}
}

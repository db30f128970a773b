package kind

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// attach builds an admin client from the cluster's kubeconfig, re-exporting it from kind when
// the file is missing (e.g. a data dir restored without it).
func (b *Backend) attach(ref backend.Ref) (*backend.Env, error) {
	path := b.kubeconfigPath(ref.Cluster)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		kc, kerr := b.provider.KubeConfig(ref.Cluster, false)
		if kerr != nil {
			return nil, fmt.Errorf("kubeconfig of %s: %w", ref.Cluster, kerr)
		}
		data = []byte(kc)
		if err := os.MkdirAll(b.dir, 0o700); err != nil {
			return nil, fmt.Errorf("kubeconfig dir: %w", err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("write kubeconfig: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read kubeconfig of %s: %w", ref.Cluster, err)
	}
	client, err := b.client(ref.Cluster, data)
	if err != nil {
		return nil, err
	}
	learner, err := kube.WithNamespace(data, ref.Namespace)
	if err != nil {
		return nil, err
	}
	return &backend.Env{Ref: ref, Client: client, Kubeconfig: learner}, nil
}

// Attach implements backend.Backend. It asks the cluster (through its cached client) for the
// namespace first, and only when the cluster does not answer asks Docker whether it still
// exists: listing kind clusters runs the docker CLI, which a Check should not wait for.
func (b *Backend) Attach(ctx context.Context, req backend.Request, ref backend.Ref) (*backend.Env, error) {
	env, err := b.attach(ref)
	if err == nil {
		_, err = env.Client.Typed.CoreV1().Namespaces().Get(ctx, ref.Namespace, metav1.GetOptions{})
		if err == nil {
			return env, nil
		}
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("%w: namespace %s in %s", backend.ErrGone, ref.Namespace, ref.Cluster)
		}
	}
	ok, xerr := b.exists(ref.Cluster)
	if xerr != nil {
		return nil, xerr
	}
	if !ok {
		b.forget(ref.Cluster)
		return nil, fmt.Errorf("%w: kind cluster %s", backend.ErrGone, ref.Cluster)
	}
	return nil, fmt.Errorf("reach lab cluster %s: %w", ref.Cluster, err)
}

// Reset implements backend.Backend: a namespace lab's namespace is wiped; a cluster lab's
// cluster is deleted and created again, since it may have changed anything (nodes included).
func (b *Backend) Reset(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	if req.Scope == domain.LabScopeCluster {
		progress("Delete cluster " + ref.Cluster)
		if err := b.deleteCluster(ref.Cluster); err != nil {
			return nil, err
		}
		return b.Provision(ctx, req, progress)
	}
	env, err := b.Attach(ctx, req, ref)
	if err != nil {
		return nil, err
	}
	progress("Delete everything in namespace " + ref.Namespace)
	if err := env.Client.WipeNamespace(ctx, ref.Namespace, 2*time.Minute); err != nil {
		return nil, err
	}
	return env, nil
}

// Release implements backend.Backend.
func (b *Backend) Release(ctx context.Context, req backend.Request, ref backend.Ref) error {
	unlock := b.lock(ref.Cluster)
	defer unlock()
	ok, err := b.exists(ref.Cluster)
	if err != nil || !ok {
		return err
	}
	if req.Scope == domain.LabScopeCluster {
		return b.deleteCluster(ref.Cluster)
	}
	env, err := b.attach(ref)
	if err != nil {
		return err
	}
	if ref.Namespace != "" {
		if err := env.Client.DeleteNamespace(ctx, ref.Namespace); err != nil {
			return err
		}
	}
	// The learner's shared cluster goes with their last session.
	nss, err := env.Client.Typed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: kube.LabelInstance + "=" + b.instance})
	if err != nil {
		return fmt.Errorf("list lab namespaces in %s: %w", ref.Cluster, err)
	}
	for _, ns := range nss.Items {
		if ns.DeletionTimestamp == nil && ns.Name != ref.Namespace {
			return nil
		}
	}
	return b.deleteCluster(ref.Cluster)
}

// KubeconfigPath is where the admin kubeconfig of a cluster is kept (measurements, tests).
func (b *Backend) KubeconfigPath(cluster string) string { return b.kubeconfigPath(cluster) }

package kind

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func (b *Backend) deleteCluster(name string) error {
	b.forget(name)
	if err := b.provider.Delete(name, b.kubeconfigPath(name)); err != nil {
		return fmt.Errorf("delete kind cluster %s: %w", name, err)
	}
	if err := os.Remove(b.kubeconfigPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove kubeconfig of %s: %w", name, err)
	}
	return nil
}

// Inventory implements backend.Backend: clusters named with this installation's prefix, and
// the lab namespaces in each. A cluster that does not answer is listed without namespaces.
func (b *Backend) Inventory(ctx context.Context) ([]backend.Found, error) {
	names, err := b.provider.List()
	if err != nil {
		return nil, fmt.Errorf("list kind clusters: %w", err)
	}
	var out []backend.Found
	for _, name := range names {
		if !strings.HasPrefix(name, Prefix+b.instance+"-") {
			continue
		}
		found := backend.Found{Ref: backend.Ref{Cluster: name}}
		env, err := b.attach(found.Ref)
		if err != nil {
			out = append(out, found)
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		nss, err := env.Client.Typed.CoreV1().Namespaces().List(lctx, metav1.ListOptions{LabelSelector: kube.LabelInstance + "=" + b.instance})
		cancel()
		if err != nil || len(nss.Items) == 0 {
			out = append(out, found)
			continue
		}
		for _, ns := range nss.Items {
			if ns.DeletionTimestamp != nil {
				continue
			}
			out = append(out, backend.Found{Ref: backend.Ref{Cluster: name, Namespace: ns.Name}, Session: ns.Labels[kube.LabelSession]})
		}
	}
	return out, nil
}

// DeleteCluster deletes a cluster of this installation outright (reconciling leftovers).
func (b *Backend) DeleteCluster(name string) error {
	if !strings.HasPrefix(name, Prefix+b.instance+"-") {
		return fmt.Errorf("cluster %s is not ours", name)
	}
	unlock := b.lock(name)
	defer unlock()
	return b.deleteCluster(name)
}

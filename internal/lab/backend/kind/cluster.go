package kind

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
)

// ClusterName is the name of this installation's cluster called suffix (e.g. "shared").
func (b *Backend) ClusterName(suffix string) string { return Prefix + b.instance + "-" + suffix }

// EnsureCluster creates the named cluster of this installation when it does not exist (with
// the lab images loaded), waits until it is ready and returns its admin kubeconfig. It is what
// a shared cluster for a whole class is made with.
func (b *Backend) EnsureCluster(ctx context.Context, name string, progress backend.Progress) ([]byte, error) {
	if !strings.HasPrefix(name, Prefix+b.instance+"-") {
		return nil, fmt.Errorf("cluster %s is not ours", name)
	}
	unlock := b.lock(name)
	defer unlock()
	exists, err := b.exists(name)
	if err != nil {
		return nil, err
	}
	if !exists {
		if err := b.create(ctx, name, progress); err != nil {
			return nil, err
		}
	} else if err := b.loadImages(ctx, name, progress); err != nil {
		// A cluster made by an earlier run may lack this version's images (a toolbox built from
		// a newer kubectl, or a creation cut short): loading is idempotent.
		return nil, err
	}
	env, err := b.attach(backend.Ref{Cluster: name})
	if err != nil {
		return nil, err
	}
	progress("Wait for nodes and CoreDNS")
	if err := env.Client.WaitReady(ctx, b.readyWait, nil); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(b.kubeconfigPath(name))
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig of %s: %w", name, err)
	}
	return data, nil
}

// Exists says whether the named cluster exists.
func (b *Backend) Exists(name string) (bool, error) { return b.exists(name) }

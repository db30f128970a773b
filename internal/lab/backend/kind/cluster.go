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

// EnsureCluster creates the named cluster of this installation when it does not exist and
// create is set (otherwise a missing cluster is backend.ErrGone), loads the lab images a node
// lacks, waits until it is ready and returns its admin kubeconfig. It is what a shared
// cluster for a whole class is made with.
func (b *Backend) EnsureCluster(ctx context.Context, name string, create bool, progress backend.Progress) ([]byte, error) {
	if !strings.HasPrefix(name, Prefix+b.instance+"-") {
		return nil, fmt.Errorf("cluster %s is not ours", name)
	}
	unlock := b.lock(name)
	defer unlock()
	exists, err := b.exists(name)
	if err != nil {
		return nil, err
	}
	if !exists && !create {
		return nil, fmt.Errorf("%w: kind cluster %s", backend.ErrGone, name)
	}
	if !exists {
		// The shared cluster serves a whole class: a creation that failed on a loaded host
		// (kubeadm's init timing out) is tried once more before the learners see an error.
		if err := b.create(ctx, name, progress); err != nil {
			b.logger.Warn("creating the shared cluster failed; trying once more", "cluster", name, "error", err)
			progress("Create kind cluster " + name + " again")
			if err := b.create(ctx, name, progress); err != nil {
				return nil, err
			}
		}
	}
	// A new cluster needs the images; one made by an earlier run may lack this version's (a
	// toolbox built from a newer kubectl, or a creation cut short): loading skips what is there.
	if err := b.loadImages(ctx, name, progress); err != nil {
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

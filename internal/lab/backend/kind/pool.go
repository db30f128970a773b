package kind

import (
	"context"

	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
)

// The warm pool (backend.Pooler): a pooled environment is a whole cluster, named
// kcnaprep-<instance>-pool-<id>, created and made ready (images loaded, nodes and CoreDNS
// ready) before anyone asks. A claim makes it the learner's cluster: the session records its
// name, and later namespace labs of the learner share it as they would a cluster made for them.

var _ backend.Pooler = (*Backend)(nil)

// PoolRef implements backend.Pooler.
// A pooled environment is a whole cluster: its Ref names no namespace (Plan's "lab-" for no
// lab would never be found by Inventory, and the pool would forget every cluster it made).
func (b *Backend) PoolRef(id string) (backend.Ref, error) {
	ref, err := b.Plan(backend.Request{Owner: "pool-" + id})
	return backend.Ref{Cluster: ref.Cluster}, err
}

// Prepare implements backend.Pooler: the cluster is created (or found) and waited for. A
// whole cluster has no namespace to start a toolbox in yet: the Env is nil.
func (b *Backend) Prepare(ctx context.Context, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	unlock := b.lock(ref.Cluster)
	defer unlock()
	_, err := b.ensureCluster(ctx, backend.Ref{Cluster: ref.Cluster}, progress)
	return nil, err
}

// Serves implements backend.Pooler: a pooled cluster becomes the cluster of a learner who has
// none yet, whatever the lab's scope.
func (b *Backend) Serves(req backend.Request) bool { return req.Cluster == "" }

// ClaimRef implements backend.Pooler: the lab's namespace in the pooled cluster.
func (b *Backend) ClaimRef(req backend.Request, pooled backend.Ref) (backend.Ref, error) {
	req.Cluster = pooled.Cluster
	return b.Plan(req)
}

// Claim implements backend.Pooler: the cluster is ready, so this only creates the session's
// namespace (Provision finds the cluster and its nodes ready at once).
func (b *Backend) Claim(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	req.Cluster = ref.Cluster
	return b.Provision(ctx, req, progress)
}

// Discard implements backend.Pooler.
func (b *Backend) Discard(ctx context.Context, ref backend.Ref) error {
	return b.DeleteCluster(ref.Cluster)
}

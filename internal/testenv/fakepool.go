package testenv

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
)

// FakePool is the fake backend plus backend.Pooler (the warm pool), for tests without Docker:
// pooled "clusters" exist from Prepare until Discard (or DeleteCluster) and are listed by
// Inventory. A claimed one becomes the learner's cluster, as with kind.
type FakePool struct {
	*FakeBackend
	mu          sync.Mutex
	exist       map[string]bool
	discarded   []string
	prepareFail error
}

// FailPrepare makes Prepare fail with err (after half making the environment); nil heals it.
func (p *FakePool) FailPrepare(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prepareFail = err
}

// NewFakePool returns a FakePool with nothing prepared.
func NewFakePool() *FakePool {
	return &FakePool{FakeBackend: &FakeBackend{}, exist: map[string]bool{}}
}

// PoolRef implements backend.Pooler.
func (p *FakePool) PoolRef(id string) (backend.Ref, error) {
	return backend.Ref{Cluster: "pool-" + id}, nil
}

// Prepare implements backend.Pooler.
func (p *FakePool) Prepare(ctx context.Context, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	progress("Create fake cluster")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exist[ref.Cluster] = true // a failure leaves it half made: Discard must clean it up
	return nil, p.prepareFail
}

// Serves implements backend.Pooler: as kind's, a learner with no cluster yet.
func (p *FakePool) Serves(req backend.Request) bool { return req.Cluster == "" }

// ClaimRef implements backend.Pooler.
func (p *FakePool) ClaimRef(req backend.Request, pooled backend.Ref) (backend.Ref, error) {
	return backend.Ref{Cluster: pooled.Cluster, Namespace: "lab-" + req.Lab}, nil
}

// Claim implements backend.Pooler.
func (p *FakePool) Claim(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	progress("Create namespace " + ref.Namespace)
	return &backend.Env{Ref: ref, Kubeconfig: []byte("kind: Config # " + ref.Namespace + "\n")}, nil
}

// Plan honours the recorded cluster, as kind's does.
func (p *FakePool) Plan(req backend.Request) (backend.Ref, error) {
	ref, err := p.FakeBackend.Plan(req)
	if req.Cluster != "" {
		ref.Cluster = req.Cluster
	}
	return ref, err
}

// Provision honours the recorded cluster, as kind's does (the learner's claimed cluster).
func (p *FakePool) Provision(ctx context.Context, req backend.Request, progress backend.Progress) (*backend.Env, error) {
	env, err := p.FakeBackend.Provision(ctx, req, progress)
	if err == nil && req.Cluster != "" {
		env.Cluster = req.Cluster
	}
	return env, err
}

// Discard implements backend.Pooler.
func (p *FakePool) Discard(ctx context.Context, ref backend.Ref) error {
	return p.DeleteCluster(ref.Cluster)
}

// DeleteCluster deletes a pooled cluster (lab.ClusterDeleter).
func (p *FakePool) DeleteCluster(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.exist, name)
	p.discarded = append(p.discarded, name)
	return nil
}

// Inventory implements backend.Backend: the leftovers and the pooled clusters.
func (p *FakePool) Inventory(ctx context.Context) ([]backend.Found, error) {
	found, _ := p.FakeBackend.Inventory(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range slices.Sorted(maps.Keys(p.exist)) {
		found = append(found, backend.Found{Ref: backend.Ref{Cluster: c}})
	}
	return found, nil
}

// Exists marks a cluster as existing (a leftover of an earlier process).
func (p *FakePool) Exists(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exist[name] = true
}

// Deleted returns the clusters deleted so far.
func (p *FakePool) Deleted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.discarded)
}

// Package shared is the lab backend for a class on one host (--lab-isolation namespace): one
// kind cluster for the whole server, and each learner's namespace lab a namespace of its own in
// it, with exactly the guard rails of the existing-cluster backend (it IS that backend, pointed
// at the shared cluster): a ServiceAccount and Role limited to the namespace, Pod Security,
// and a NetworkPolicy keeping learners' namespaces apart. Cluster-scope labs, which change
// cluster-wide settings, get a kind cluster of their own, at most MaxClusters at once; further
// learners wait in a queue and their lab's steps say so.
package shared

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kubeconfig"
)

// Name is the backend's name, recorded with each session.
const Name = "kind-shared"

// Backend runs namespace labs in one shared kind cluster and cluster labs in queued clusters.
type Backend struct {
	kind        *kind.Backend
	instance    string
	cluster     string // the shared kind cluster's name
	maxClusters int
	logger      *slog.Logger
	poll        time.Duration

	mu     sync.Mutex
	ns     *kubeconfig.Backend // the shared cluster's namespaces, once the cluster exists
	queue  []string            // sessions waiting for a cluster, first first
	active map[string]bool     // sessions holding (or creating) a cluster in this process
}

// Option configures the Backend.
type Option func(*Backend)

// WithMaxClusters bounds the per-learner clusters of cluster-scope labs (default 2).
func WithMaxClusters(n int) Option { return func(b *Backend) { b.maxClusters = max(1, n) } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(b *Backend) { b.logger = l } }

// New returns the shared backend over the kind backend k of installation instance.
func New(k *kind.Backend, instance string, opts ...Option) *Backend {
	b := &Backend{kind: k, instance: instance, cluster: k.ClusterName("shared"), maxClusters: 2,
		logger: slog.Default(), poll: 2 * time.Second, active: map[string]bool{}}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return Name }

// Available implements backend.Checker.
func (b *Backend) Available(ctx context.Context) error { return b.kind.Available(ctx) }

// SharedCluster is the shared kind cluster's name.
func (b *Backend) SharedCluster() string { return b.cluster }

// sharedRef is the cluster name the namespace backend records: the kind kubeconfig's context
// cluster.
func (b *Backend) sharedRef() string { return "kind-" + b.cluster }

// namespaces returns the namespace backend of the shared cluster, creating the cluster first
// when create is set (otherwise a missing cluster is backend.ErrGone).
func (b *Backend) namespaces(ctx context.Context, create bool, progress backend.Progress) (*kubeconfig.Backend, error) {
	b.mu.Lock()
	ns := b.ns
	b.mu.Unlock()
	if ns != nil {
		if ok, err := b.kind.Exists(b.cluster); err != nil || ok {
			return ns, err
		}
		b.mu.Lock()
		b.ns = nil // deleted outside kcnaprep
		b.mu.Unlock()
	}
	if progress == nil {
		progress = func(string) {}
	}
	kc, err := b.kind.EnsureCluster(ctx, b.cluster, create, progress)
	if err != nil {
		return nil, err
	}
	ns, err = kubeconfig.NewFromBytes(b.instance, kc)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ns == nil {
		b.ns = ns
	}
	return b.ns, nil
}

// Plan implements backend.Backend.
func (b *Backend) Plan(req backend.Request) (backend.Ref, error) {
	if req.Scope == domain.LabScopeCluster {
		return b.kind.Plan(req)
	}
	ns := "kcnaprep-" + b.instance + "-" + req.Owner + "-" + req.Lab
	if len(ns) > 63 {
		return backend.Ref{}, fmt.Errorf("namespace name %s is too long", ns)
	}
	return backend.Ref{Cluster: b.sharedRef(), Namespace: ns}, nil
}

func (b *Backend) isShared(ref backend.Ref) bool { return ref.Cluster == b.sharedRef() }

// Provision implements backend.Backend.
func (b *Backend) Provision(ctx context.Context, req backend.Request, progress backend.Progress) (*backend.Env, error) {
	if req.Scope == domain.LabScopeCluster {
		if err := b.waitTurn(ctx, req.Session, progress); err != nil {
			return nil, err
		}
		env, err := b.kind.Provision(ctx, req, progress)
		if err != nil {
			b.done(req.Session)
		}
		return env, err
	}
	ns, err := b.namespaces(ctx, true, progress)
	if err != nil {
		return nil, err
	}
	return ns.Provision(ctx, req, progress)
}

// clustersInUse counts this installation's per-learner clusters (not the shared one).
func (b *Backend) clustersInUse(ctx context.Context) (int, error) {
	found, err := b.kind.Inventory(ctx)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, f := range found {
		if f.Cluster != b.cluster {
			seen[f.Cluster] = true
		}
	}
	return len(seen), nil
}

// waitTurn queues the session until fewer than maxClusters per-learner clusters exist or are
// being made, telling progress its place whenever it changes.
func (b *Backend) waitTurn(ctx context.Context, session string, progress backend.Progress) error {
	b.mu.Lock()
	b.queue = append(b.queue, session)
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		for i, s := range b.queue {
			if s == session {
				b.queue = append(b.queue[:i], b.queue[i+1:]...)
				break
			}
		}
		b.mu.Unlock()
	}()
	said := ""
	for {
		inUse, err := b.clustersInUse(ctx)
		if err != nil {
			return err
		}
		b.mu.Lock()
		creating := 0
		for s := range b.active {
			if s != session {
				creating++
			}
		}
		pos := 0
		for i, s := range b.queue {
			if s == session {
				pos = i
			}
		}
		busy := max(inUse, creating)
		if pos == 0 && busy < b.maxClusters {
			b.active[session] = true
			b.mu.Unlock()
			return nil
		}
		b.mu.Unlock()
		msg := fmt.Sprintf("Queued for a cluster of your own: %d of %d lab clusters in use, %d learner(s) ahead of you", min(busy, b.maxClusters), b.maxClusters, pos)
		if msg != said {
			progress(msg)
			said = msg
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(b.poll):
		}
	}
}

func (b *Backend) done(session string) {
	b.mu.Lock()
	delete(b.active, session)
	b.mu.Unlock()
}

// QueueLength is how many cluster-scope sessions wait for a cluster now.
func (b *Backend) QueueLength() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(0, len(b.queue)-len(b.active))
}

// Attach implements backend.Backend.
func (b *Backend) Attach(ctx context.Context, req backend.Request, ref backend.Ref) (*backend.Env, error) {
	if !b.isShared(ref) {
		return b.kind.Attach(ctx, req, ref)
	}
	ns, err := b.namespaces(ctx, false, nil)
	if err != nil {
		return nil, err
	}
	return ns.Attach(ctx, req, ref)
}

// Reset implements backend.Backend.
func (b *Backend) Reset(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	if !b.isShared(ref) {
		return b.kind.Reset(ctx, req, ref, progress)
	}
	ns, err := b.namespaces(ctx, false, nil)
	if err != nil {
		return nil, err
	}
	return ns.Reset(ctx, req, ref, progress)
}

// Release implements backend.Backend. The shared cluster stays (the next class uses it).
func (b *Backend) Release(ctx context.Context, req backend.Request, ref backend.Ref) error {
	if !b.isShared(ref) {
		defer b.done(req.Session)
		return b.kind.Release(ctx, req, ref)
	}
	ns, err := b.namespaces(ctx, false, nil)
	if err != nil {
		if errors.Is(err, backend.ErrGone) {
			return nil
		}
		return err
	}
	return ns.Release(ctx, req, ref)
}

// Inventory implements backend.Backend: the per-learner clusters and their namespaces, and the
// namespaces of the shared cluster (never the shared cluster itself, which no session owns).
func (b *Backend) Inventory(ctx context.Context) ([]backend.Found, error) {
	found, err := b.kind.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	var out []backend.Found
	for _, f := range found {
		if f.Cluster != b.cluster {
			out = append(out, f)
		}
	}
	ok, err := b.kind.Exists(b.cluster)
	if err != nil || !ok {
		return out, err
	}
	ns, err := b.namespaces(ctx, false, nil)
	if errors.Is(err, backend.ErrGone) { // deleted meanwhile (a creation that failed)
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	more, err := ns.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}

// DeleteCluster implements lab.ClusterDeleter for leftover per-learner clusters.
func (b *Backend) DeleteCluster(name string) error {
	if name == b.cluster || name == b.sharedRef() {
		return fmt.Errorf("cluster %s is the shared cluster", name)
	}
	return b.kind.DeleteCluster(name)
}

package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
)

// The warm pool in namespace isolation (backend.Pooler): a pooled environment is a namespace
// of the shared cluster, named kcnaprep-<instance>-pool-<id>, made with every guard rail and the
// learner's access before anyone asks (the engine then starts its toolbox). A namespace lab's
// Start claims one: its session records the pooled name, and the claim only labels it with the
// session. Cluster-scope labs get clusters of their own as before (queued, never pooled). The
// engine's pool code (lab/pool.go) does the rest as for kind: rows before namespaces, atomic
// claims, refills, adoption after a restart, deletion of what no row accounts for.

var _ backend.Pooler = (*Backend)(nil)

// PoolRef implements backend.Pooler.
func (b *Backend) PoolRef(id string) (backend.Ref, error) {
	ref := backend.Ref{Cluster: b.sharedRef(), Namespace: "kcnaprep-" + b.instance + "-pool-" + id}
	if len(ref.Namespace) > 63 {
		return backend.Ref{}, errors.New("pooled namespace name " + ref.Namespace + " is too long")
	}
	return ref, nil
}

// Prepare implements backend.Pooler: the shared cluster is created if needed, then the
// namespace with its guard rails and the learner's access.
func (b *Backend) Prepare(ctx context.Context, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	ns, err := b.namespaces(ctx, true, progress)
	if err != nil {
		return nil, err
	}
	return ns.PrepareNamespace(ctx, ref, progress)
}

// Serves implements backend.Pooler: namespace labs only.
func (b *Backend) Serves(req backend.Request) bool { return req.Scope == domain.LabScopeNamespace }

// ClaimRef implements backend.Pooler: the session keeps the pooled namespace's name.
func (b *Backend) ClaimRef(req backend.Request, pooled backend.Ref) (backend.Ref, error) {
	return pooled, nil
}

// Claim implements backend.Pooler.
func (b *Backend) Claim(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	ns, err := b.namespaces(ctx, false, nil)
	if err != nil {
		return nil, err
	}
	progress("Hand namespace " + ref.Namespace + " to you")
	return ns.ClaimNamespace(ctx, req, ref)
}

// Discard implements backend.Pooler. A shared cluster that is gone took the namespace along.
func (b *Backend) Discard(ctx context.Context, ref backend.Ref) error {
	return b.Release(ctx, backend.Request{Scope: domain.LabScopeNamespace}, ref)
}

// namespaceMiB is roughly what a pooled namespace holds in memory: its toolbox Pod.
const namespaceMiB = 64

// reserveMiB is the memory the pool leaves for the host and the shared cluster's workloads.
const reserveMiB = 2048

// PoolSize decides how many namespaces the warm pool keeps: requested (or 3 when auto: a
// pooled namespace costs a toolbox Pod, not a cluster), capped by the memory available beyond
// a reserve, and says why for the log. memAvailableMiB < 0: unknown.
func PoolSize(requested int, auto bool, memAvailableMiB int64) (int, string) {
	want := requested
	if auto {
		want = 3
	}
	if want <= 0 {
		return 0, "no pool (size 0)"
	}
	if memAvailableMiB < 0 {
		return want, fmt.Sprintf("%d namespaces (free memory unknown)", want)
	}
	room := max(0, (memAvailableMiB-reserveMiB)/namespaceMiB)
	why := fmt.Sprintf("%d MiB available, room for %d namespaces of ~%d MiB keeping %d MiB for the host", memAvailableMiB, room, namespaceMiB, reserveMiB)
	if int64(want) > room {
		return int(room), fmt.Sprintf("%d of the %d asked: %s", room, want, why)
	}
	return want, fmt.Sprintf("%d namespaces: %s", want, why)
}

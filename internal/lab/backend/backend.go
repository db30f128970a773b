// Package backend defines where lab sessions run. A Backend hands a session a cluster and a
// namespace of its own, with admin access for the engine (set-up, grading) and a kubeconfig for
// the learner. Two implementations: kind (a cluster per learner on this host) and kubeconfig
// (namespaces in an existing cluster, with a learner kubeconfig limited to the namespace).
package backend

import (
	"context"
	"errors"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
)

// Checker is implemented by backends that depend on something outside kcnaprep (the kind
// backend on a Docker engine): Available says, in words for the learner, why labs cannot run
// now, or nil.
type Checker interface {
	Available(ctx context.Context) error
}

// ErrGone means the environment no longer exists (deleted outside kcnaprep, or lost).
var ErrGone = errors.New("lab environment is gone")

// Request describes a session's environment.
type Request struct {
	Owner   string // stable, name-safe id of the learner, e.g. "u42"
	Session string // session id; labelled on the namespace
	Lab     string // lab id
	Scope   string // domain.LabScopeNamespace or domain.LabScopeCluster
	// Cluster, when set, is the cluster the session already has (recorded with it: a claimed
	// pooled environment, the learner's shared cluster); Plan keeps it instead of naming one.
	Cluster string
}

// Ref names an environment: it is stored with the session and is all a backend needs to find
// the environment again after a restart.
type Ref struct {
	Cluster   string
	Namespace string
}

// Env is a ready environment.
type Env struct {
	Ref
	Client     *kube.Client // admin access: set-up, grading, clean-up
	Kubeconfig []byte       // what the learner gets; its current context points at Namespace
	// LearnerAccount is the ServiceAccount in Namespace that holds exactly the learner's rights
	// (the toolbox runs as it); "" when the learner's kubeconfig is the cluster's admin (a kind
	// cluster of their own).
	LearnerAccount string
}

// Progress is told when a step of a long operation starts ("Create cluster").
type Progress func(step string)

// Found is an environment of this installation that exists now.
type Found struct {
	Ref
	Session string // the session label of the namespace; "" for a cluster with no lab namespace
}

// Backend provisions and cleans up lab environments.
type Backend interface {
	// Name is "kind" or "kubeconfig".
	Name() string
	// Plan returns the names Provision will use, without creating anything, so the session can
	// record them first: a crash mid-provisioning then leaves nothing unaccounted for.
	Plan(req Request) (Ref, error)
	// Provision creates (or reuses) the cluster and creates the session's empty namespace.
	Provision(ctx context.Context, req Request, progress Progress) (*Env, error)
	// Attach reconnects to an environment Provision made.
	Attach(ctx context.Context, req Request, ref Ref) (*Env, error)
	// Reset empties the environment for a fresh set-up: the namespace is wiped (its learner
	// access kept), or a dedicated cluster is recreated.
	Reset(ctx context.Context, req Request, ref Ref, progress Progress) (*Env, error)
	// Release deletes what Provision created for the session; a shared cluster goes when its
	// last session does. Releasing what is already gone is not an error.
	Release(ctx context.Context, req Request, ref Ref) error
	// Inventory lists the environments of this installation that exist now.
	Inventory(ctx context.Context) ([]Found, error)
}

// Pooler is implemented by backends that can prepare environments before any learner asks
// (the warm pool). PoolRef names a new pooled environment, Prepare creates it and makes it
// fully ready (for kind: the cluster created, images loaded, nodes and CoreDNS ready; for
// namespace isolation: the namespace with its guard rails and the learner's access) and returns
// it when it is a namespace (nil for a whole cluster), so the engine can start its toolbox.
// Serves says whether a pooled environment can serve a request; ClaimRef is what a session
// that claims it records, and Claim does only what is the session's own (its namespace or its
// labels) before the lab's set-up. Discard deletes one no session took. In cluster isolation a
// pooled environment is a whole cluster (Ref.Namespace ""); in namespace isolation a
// namespace of the shared cluster.
type Pooler interface {
	PoolRef(id string) (Ref, error)
	Prepare(ctx context.Context, ref Ref, progress Progress) (*Env, error)
	Serves(req Request) bool
	ClaimRef(req Request, pooled Ref) (Ref, error)
	Claim(ctx context.Context, req Request, ref Ref, progress Progress) (*Env, error)
	Discard(ctx context.Context, ref Ref) error
}

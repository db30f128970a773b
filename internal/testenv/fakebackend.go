package testenv

import (
	"context"
	"slices"
	"sync"

	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
)

// FakeBackend is a lab backend without clusters, for tests that cannot run Docker (-short, the
// web handlers). Its environments have no client, so labs used with it need no set-up, and
// Check cannot run on them. Provision honours its context: a test that fails while a job waits
// at the Gate ends at once (its service's Close cancels the job) instead of hanging.
type FakeBackend struct {
	mu        sync.Mutex
	Fail      error         // Provision fails with it
	Gate      chan struct{} // Provision waits until it is closed (or its ctx ends), when not nil
	released  []backend.Ref
	Leftovers []backend.Found // what Inventory reports
	Down      error           // Available reports it (a backend whose dependency is missing)
}

// Available implements backend.Checker.
func (f *FakeBackend) Available(context.Context) error { return f.Down }

// Name implements backend.Backend.
func (f *FakeBackend) Name() string { return "fake" }

// Plan implements backend.Backend.
func (f *FakeBackend) Plan(req backend.Request) (backend.Ref, error) {
	return backend.Ref{Cluster: "c-" + req.Owner, Namespace: "lab-" + req.Lab}, nil
}

// Provision implements backend.Backend.
func (f *FakeBackend) Provision(ctx context.Context, req backend.Request, progress backend.Progress) (*backend.Env, error) {
	progress("Create fake cluster")
	if f.Gate != nil {
		select {
		case <-f.Gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.Fail != nil {
		return nil, f.Fail
	}
	ref, _ := f.Plan(req)
	return &backend.Env{Ref: ref, Kubeconfig: []byte("kind: Config # " + ref.Namespace + "\n")}, nil
}

// Attach implements backend.Backend.
func (f *FakeBackend) Attach(ctx context.Context, req backend.Request, ref backend.Ref) (*backend.Env, error) {
	return &backend.Env{Ref: ref, Kubeconfig: []byte("kind: Config # " + ref.Namespace + "\n")}, nil
}

// Reset implements backend.Backend.
func (f *FakeBackend) Reset(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	progress("Wipe")
	return f.Attach(ctx, req, ref)
}

// Release implements backend.Backend and records the release.
func (f *FakeBackend) Release(ctx context.Context, req backend.Request, ref backend.Ref) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released = append(f.released, ref)
	return nil
}

// Inventory implements backend.Backend.
func (f *FakeBackend) Inventory(ctx context.Context) ([]backend.Found, error) {
	return f.Leftovers, nil
}

// Released returns the environments released so far.
func (f *FakeBackend) Released() []backend.Ref {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.released)
}

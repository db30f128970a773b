package lab

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
)

// The warm pool (issue 11): environments a backend prepares before anyone asks (for kind,
// clusters with images loaded and nodes and CoreDNS ready), so that a learner's Start claims
// one and applies only the lab's set-up. Rows in the store account for every pooled
// environment (written before it is created); a Start claims one in the transaction that
// records its session; the pool refills in the background; reconciliation adopts pooled
// environments that survived a restart and deletes those no row accounts for.

// PoolStore is what the pool keeps in the database (internal/store implements it).
type PoolStore interface {
	AddLabPoolEnv(ctx context.Context, e *domain.LabPoolEnv) error
	LabPoolEnvReady(ctx context.Context, id string) error
	HeartbeatLabPoolEnv(ctx context.Context, id string) error
	DeleteLabPoolEnv(ctx context.Context, id string) error
	LabPool(ctx context.Context, backend string) ([]*domain.LabPoolEnv, error)
	CreateLabSessionFromPool(ctx context.Context, s *domain.LabSession, place func(*domain.LabPoolEnv) (cluster, namespace string, err error)) (*domain.LabPoolEnv, error)
	MoveLabSessionToPool(ctx context.Context, userID int64, id, backendName string, place func(*domain.LabPoolEnv) (cluster, namespace string, err error)) (*domain.LabPoolEnv, error)
}

type pool struct {
	target       atomic.Int64  // environments to keep ready or being prepared
	prepareNanos atomic.Int64  // running average of one preparation (warm.go); 0 until one
	kick         chan struct{} // wakes the refill loop
	fillMu       sync.Mutex    // one fill at a time (the loop, WarmPool)
}

func (p *pool) init() { p.kick = make(chan struct{}, 1) }

// WithPool keeps n environments prepared in advance (0: no pool). It takes effect only on a
// backend that can pool (backend.Pooler) with a store that keeps the pool (PoolStore).
func WithPool(n int) Option { return func(s *Service) { s.pool.target.Store(int64(max(0, n))) } }

// pooling returns the backend's and store's pool sides, or false when either cannot pool.
func (s *Service) pooling() (backend.Pooler, PoolStore, bool) {
	p, ok := s.backend.(backend.Pooler)
	if !ok {
		return nil, nil, false
	}
	ps, ok := s.store.(PoolStore)
	return p, ps, ok
}

// PoolTarget is how many environments the pool keeps prepared.
func (s *Service) PoolTarget() int { return int(s.pool.target.Load()) }

// learnerCluster returns the cluster of the learner's running namespace labs when the backend
// pools (a claimed pooled cluster is named after the pool, not the learner, so the backend
// cannot work it out), or "" to let the backend name it.
func (s *Service) learnerCluster(ctx context.Context, userID int64, b *bundle.Bundle) (string, error) {
	if _, _, ok := s.pooling(); !ok || b.Scope != domain.LabScopeNamespace {
		return "", nil
	}
	active, err := s.store.ActiveLabSessions(ctx, userID)
	if err != nil {
		return "", err
	}
	for _, o := range active {
		ob := s.bundles.Lab(o.LabID)
		if o.Backend == s.backend.Name() && o.Cluster != "" && ob != nil && ob.Scope == domain.LabScopeNamespace {
			return o.Cluster, nil
		}
	}
	return "", nil
}

func (s *Service) kickPool() {
	select {
	case s.pool.kick <- struct{}{}:
	default:
	}
}

func (s *Service) updatePoolGauge(ctx context.Context) {
	_, ps, ok := s.pooling()
	if !ok {
		return
	}
	envs, err := ps.LabPool(ctx, s.backend.Name())
	if err != nil {
		return
	}
	ready := 0
	for _, e := range envs {
		if e.State == domain.LabPoolReady {
			ready++
		}
	}
	s.metrics.poolReady.Set(float64(ready))
}

// runPool refills the pool whenever it is kicked (a claim, a new pre-warm) or the ticker
// fires, until ctx ends: to the standing target, or higher while pre-warms are due (warm.go).
func (s *Service) runPool(ctx context.Context) {
	if _, _, ok := s.pooling(); !ok {
		return
	}
	s.seedEstimate(ctx)
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		target, err := s.RunSchedules(ctx)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("lab pool: pre-warm schedules", "error", err)
		}
		if target > 0 {
			if err := s.fillPool(ctx, target); err != nil && ctx.Err() == nil {
				s.logger.Warn("lab pool: refill failed; retrying later", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.pool.kick:
		case <-t.C:
		}
	}
}

// WarmPool prepares environments until n are ready or being prepared (an instructor's
// "N environments for the class"; the CLI's `lab pool warm N`), and waits for them. Environments
// beyond n are kept.
func (s *Service) WarmPool(ctx context.Context, n int) error {
	if _, _, ok := s.pooling(); !ok {
		return domain.Errorf(domain.EUNAVAILABLE, "The %s lab backend cannot prepare environments in advance.", s.backend.Name())
	}
	return s.fillPool(ctx, n)
}

// PoolStatus returns the pooled environments.
func (s *Service) PoolStatus(ctx context.Context) ([]*domain.LabPoolEnv, error) {
	_, ps, ok := s.pooling()
	if !ok {
		return nil, nil
	}
	return ps.LabPool(ctx, s.backend.Name())
}

// fillPool prepares environments, two at a time (kind creates at most two clusters at once
// anyway), until n are ready or being prepared; it stops at the first failure.
func (s *Service) fillPool(ctx context.Context, n int) error {
	pooler, ps, _ := s.pooling()
	s.pool.fillMu.Lock()
	defer s.pool.fillMu.Unlock()
	envs, err := ps.LabPool(ctx, s.backend.Name())
	if err != nil {
		return err
	}
	missing := n - len(envs)
	if missing <= 0 {
		return nil
	}
	s.logger.Info("lab pool: preparing environments", "count", missing, "target", n, "have", len(envs))
	sem := make(chan struct{}, warmParallel)
	errs := make(chan error, missing)
	var wg sync.WaitGroup
	for range missing {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- s.prepareOne(ctx, pooler, ps)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// prepareOne records, creates and readies one pooled environment; a failure deletes both.
func (s *Service) prepareOne(ctx context.Context, pooler backend.Pooler, ps PoolStore) error {
	id := newID()
	ref, err := pooler.PoolRef(id)
	if err != nil {
		return err
	}
	e := &domain.LabPoolEnv{ID: id, Backend: s.backend.Name(), Cluster: ref.Cluster, Namespace: ref.Namespace}
	if err := ps.AddLabPoolEnv(ctx, e); err != nil {
		return err
	}
	s.mu.Lock()
	s.running[id] = true
	s.mu.Unlock()
	s.jobs.Add(1)
	defer func() {
		s.mu.Lock()
		delete(s.running, id)
		s.mu.Unlock()
		s.jobs.Done()
	}()
	// Jobs end with the service; so does preparing.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.jobCtx, cancel)
	defer stop()
	beat := make(chan struct{})
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-beat:
				return
			case <-t.C:
				_ = ps.HeartbeatLabPoolEnv(context.WithoutCancel(ctx), id)
			}
		}
	}()
	t0 := s.now()
	progress := func(step string) { s.logger.Debug("lab pool step", "pooled", id, "step", step) }
	env, err := pooler.Prepare(ctx, ref, progress)
	if err == nil && env != nil && env.Namespace != "" && s.terminals.image != nil {
		// A pooled namespace is the learner's whole environment: their toolbox too.
		progress("Start the toolbox")
		err = s.ensureToolbox(ctx, env)
	}
	close(beat)
	bg := context.WithoutCancel(ctx)
	if err == nil {
		err = ps.LabPoolEnvReady(bg, id)
	}
	if err != nil {
		if derr := pooler.Discard(bg, ref); derr != nil {
			s.logger.Error("lab pool: discard failed; the reconciler will retry", "pooled", id, "error", derr)
		}
		_ = ps.DeleteLabPoolEnv(bg, id)
		return fmt.Errorf("prepare pooled environment %s: %w", ref.Cluster, err)
	}
	s.observePrepare(s.now().Sub(t0))
	s.logger.Info("lab pool: environment ready", "pooled", id, "cluster", ref.Cluster, "namespace", ref.Namespace,
		"seconds", s.now().Sub(t0).Seconds())
	s.updatePoolGauge(bg)
	return nil
}

// seedEstimate starts the preparation estimate from the environments ready in the pool
// (prepared before a restart), so a pre-warm's lead is known before this process prepares one.
func (s *Service) seedEstimate(ctx context.Context) {
	envs, err := s.PoolStatus(ctx)
	if err != nil {
		return
	}
	for _, e := range envs {
		if e.State == domain.LabPoolReady && !e.ReadyAt.IsZero() && e.ReadyAt.After(e.CreatedAt) {
			s.observePrepare(e.ReadyAt.Sub(e.CreatedAt))
		}
	}
}

// reconcilePool runs in every reconciliation: it forgets pooled environments whose
// preparation died with an earlier process (deleting what it made), and returns the refs of
// the pool's environments so that collecting leftovers leaves them alone.
func (s *Service) reconcilePool(ctx context.Context) map[backend.Ref]bool {
	pooler, ps, ok := s.pooling()
	if !ok {
		return nil
	}
	envs, err := ps.LabPool(ctx, s.backend.Name())
	if err != nil {
		s.logger.Error("lab reconcile: list pool", "error", err)
		return nil
	}
	keep := map[backend.Ref]bool{}
	now := s.now()
	for _, e := range envs {
		ref := backend.Ref{Cluster: e.Cluster, Namespace: e.Namespace}
		if e.State == domain.LabPoolProvisioning && !s.isRunning(e.ID) && now.Sub(e.UpdatedAt) >= s.staleAfter {
			s.logger.Warn("lab reconcile: pooled environment's preparation was interrupted; deleting it", "pooled", e.ID, "cluster", e.Cluster)
			if err := pooler.Discard(ctx, ref); err != nil {
				s.logger.Error("lab reconcile: discard pooled environment", "pooled", e.ID, "error", err)
				keep[ref] = true
				continue
			}
			_ = ps.DeleteLabPoolEnv(ctx, e.ID)
			continue
		}
		keep[ref] = true
	}
	return keep
}

// forgetVanishedPool drops ready pooled environments that no longer exist (deleted outside
// kcnaprep), given what exists now, and counts the rest for the gauge.
func (s *Service) forgetVanishedPool(ctx context.Context, found []backend.Found, startup bool) {
	_, ps, ok := s.pooling()
	if !ok {
		return
	}
	envs, err := ps.LabPool(ctx, s.backend.Name())
	if err != nil {
		return
	}
	exists := map[backend.Ref]bool{}
	for _, f := range found {
		exists[f.Ref] = true
		exists[backend.Ref{Cluster: f.Cluster}] = true
	}
	adopted := 0
	for _, e := range envs {
		if e.State != domain.LabPoolReady {
			continue
		}
		if !exists[backend.Ref{Cluster: e.Cluster, Namespace: e.Namespace}] {
			s.logger.Warn("lab reconcile: pooled environment is gone", "pooled", e.ID, "cluster", e.Cluster)
			_ = ps.DeleteLabPoolEnv(ctx, e.ID)
			continue
		}
		adopted++
	}
	if startup && adopted > 0 {
		s.logger.Info("lab pool: adopted environments prepared before the restart", "ready", adopted)
	}
	s.updatePoolGauge(ctx)
}

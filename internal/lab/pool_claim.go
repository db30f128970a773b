package lab

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
)

// Claims from the warm pool (pool.go): a learner's Start, and a cluster lab's Reset.

// startWarm records the session on a ready pooled environment, if there is one, and launches
// the job that claims it and applies the lab's set-up. It reports whether it did; a Start
// that finds the pool empty starts cold (and the pool refills either way).
func (s *Service) startWarm(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle, t0 time.Time) (bool, error) {
	pooler, ps, ok := s.pooling()
	if !ok {
		return false, nil
	}
	defer s.kickPool()
	var claimedRef backend.Ref
	env, err := ps.CreateLabSessionFromPool(ctx, sess, func(e *domain.LabPoolEnv) (string, string, error) {
		var err error
		claimedRef, err = pooler.ClaimRef(request(sess, b.Scope), backend.Ref{Cluster: e.Cluster, Namespace: e.Namespace})
		return claimedRef.Cluster, claimedRef.Namespace, err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.updatePoolGauge(ctx)
	s.logger.Info("lab pool: environment claimed", "session", sess.ID, "lab", sess.LabID, "pooled", env.ID,
		"cluster", claimedRef.Cluster, "namespace", claimedRef.Namespace)
	step := "Claim a prepared cluster"
	if env.Namespace != "" {
		step = "Claim a prepared namespace"
	}
	s.launch(sess, "start", s.timed("warm", t0, s.setUpJob(sess, b, func(ctx context.Context, progress backend.Progress) (*backend.Env, error) {
		progress(step)
		return pooler.Claim(ctx, request(sess, b.Scope), claimedRef, progress)
	})))
	return true, nil
}

// resetWarm resets a cluster lab (which may have changed anything, nodes included) onto a
// ready pooled cluster instead of recreating its own: the session moves to the pooled cluster
// in the transaction that claims it, the job claims it and applies the set-up, and the old
// cluster is deleted beside it (a crash before that leaves it to the reconciler, as no session
// accounts for it any more). It reports whether it did; with no pooled cluster ready the reset
// recreates the cluster as before. sess is resetting already.
func (s *Service) resetWarm(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle) (bool, error) {
	pooler, ps, ok := s.pooling()
	if !ok || b.Scope != domain.LabScopeCluster || !pooler.Serves(backend.Request{Scope: b.Scope, Lab: sess.LabID}) {
		return false, nil
	}
	defer s.kickPool()
	old := *sess
	var claimedRef backend.Ref
	env, err := ps.MoveLabSessionToPool(ctx, sess.UserID, sess.ID, s.backend.Name(), func(e *domain.LabPoolEnv) (string, string, error) {
		req := request(sess, b.Scope)
		req.Cluster = ""
		var err error
		claimedRef, err = pooler.ClaimRef(req, backend.Ref{Cluster: e.Cluster, Namespace: e.Namespace})
		return claimedRef.Cluster, claimedRef.Namespace, err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.updatePoolGauge(ctx)
	s.logger.Info("lab pool: cluster lab reset onto a pooled cluster", "session", sess.ID, "lab", sess.LabID, "pooled", env.ID,
		"cluster", claimedRef.Cluster, "old", old.Cluster)
	sess.Cluster, sess.Namespace = claimedRef.Cluster, claimedRef.Namespace
	s.launch(sess, "reset", s.setUpJob(sess, b, func(ctx context.Context, progress backend.Progress) (*backend.Env, error) {
		s.jobs.Add(1)
		go func() { // the old cluster goes while the new one is set up
			defer s.jobs.Done()
			if err := s.backend.Release(context.WithoutCancel(ctx), request(&old, b.Scope), refOf(&old)); err != nil {
				s.logger.Error("lab reset: delete the old cluster; the reconciler will retry", "cluster", old.Cluster, "error", err)
			}
		}()
		progress("Claim a prepared cluster")
		return pooler.Claim(ctx, request(sess, b.Scope), claimedRef, progress)
	}))
	return true, nil
}

// timed observes how long a Start took to ready, by path (warm or cold).
func (s *Service) timed(path string, t0 time.Time, fn job) job {
	return func(ctx context.Context, progress backend.Progress) (domain.LabState, error) {
		state, err := fn(ctx, progress)
		if err == nil && state == domain.LabReady {
			s.metrics.start.WithLabelValues(path).Observe(s.now().Sub(t0).Seconds())
		}
		return state, err
	}
}

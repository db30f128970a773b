package lab

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
)

// ClusterDeleter is implemented by backends that can delete a whole cluster of theirs (kind):
// the reconciler uses it for clusters no session accounts for.
type ClusterDeleter interface {
	DeleteCluster(name string) error
}

// Run reconciles once (adopting sessions whose environment survived a restart, failing those
// whose job died with the previous process, deleting environments no session accounts for),
// then keeps expiring idle sessions and recovering orphaned ones until ctx ends. It then
// cancels running jobs and waits for them.
func (s *Service) Run(ctx context.Context) error {
	defer s.Close()
	s.reconcile(ctx, true)
	// The pool loop runs whenever the backend can pool: with no standing pool it still runs
	// instructors' pre-warms.
	if n := s.pool.target.Load(); n > 0 || s.CanPool() {
		if _, _, ok := s.pooling(); ok {
			pctx, cancel := context.WithCancel(ctx)
			stop := context.AfterFunc(s.jobCtx, cancel) // Close ends the refills too
			s.jobs.Add(1)
			go func() {
				defer s.jobs.Done()
				defer stop()
				defer cancel()
				s.runPool(pctx)
			}()
		} else {
			s.logger.Warn("lab pool: this lab backend cannot prepare environments in advance; no pool", "backend", s.backend.Name(), "size", n)
		}
	}
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.reconcile(ctx, false)
		}
	}
}

// Reconcile runs one reconciliation pass; startup also checks ready sessions' environments
// and deletes leftovers (tests and the CLI call it directly).
func (s *Service) Reconcile(ctx context.Context, startup bool) { s.reconcile(ctx, startup) }

func (s *Service) isRunning(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[id]
}

func (s *Service) reconcile(ctx context.Context, startup bool) {
	sessions, err := s.store.AllActiveLabSessions(ctx)
	if err != nil {
		s.logger.Error("lab reconcile: list sessions", "error", err)
		return
	}
	now := s.now()
	inUse := map[backend.Ref]bool{}
	clusters := map[string]bool{}
	for _, sess := range sessions {
		if sess.Backend != s.backend.Name() {
			continue // another backend's session: not ours to judge
		}
		ref := refOf(sess)
		inUse[ref], clusters[sess.Cluster] = true, true
		_, b, err := s.lab(sess.LabID)
		if err != nil { // the lab was removed from the content: end its session
			s.logger.Warn("lab reconcile: lab no longer exists", "session", sess.ID, "lab", sess.LabID)
			_ = s.store.FinishLabJob(ctx, sess.UserID, sess.ID, domain.LabFailed, "This lab no longer exists.")
			delete(inUse, ref)
			continue
		}
		switch {
		case sess.State.Busy():
			// A job that no process heartbeats any more died with its server.
			if s.isRunning(sess.ID) || now.Sub(sess.UpdatedAt) < s.staleAfter {
				continue
			}
			s.logger.Warn("lab reconcile: job interrupted", "session", sess.ID, "state", sess.State)
			_ = s.store.EndLabSteps(ctx, sess.UserID, sess.ID, "interrupted")
			if sess.State == domain.LabStopping {
				_ = s.store.FinishLabJob(ctx, sess.UserID, sess.ID, domain.LabEnded, "")
			} else {
				_ = s.store.FinishLabJob(ctx, sess.UserID, sess.ID, domain.LabFailed,
					"The server stopped while this lab was being prepared; start it again.")
			}
			delete(inUse, ref) // released below with the leftovers
		case sess.State == domain.LabReady && s.ttl > 0 && now.Sub(sess.LastActiveAt) > s.ttl:
			s.logger.Info("lab expired", "session", sess.ID, "lab", sess.LabID, "idle", now.Sub(sess.LastActiveAt).Round(time.Second))
			if err := s.stop(ctx, sess, b, "expire"); err != nil {
				s.logger.Warn("lab reconcile: expire", "session", sess.ID, "error", err)
			}
		case sess.State == domain.LabReady && startup:
			s.adopt(ctx, sess, b)
		}
	}
	for ref := range s.reconcilePool(ctx) {
		inUse[ref], clusters[ref.Cluster] = true, true
	}
	s.collectLeftovers(ctx, inUse, clusters, startup)
}

// adopt checks that a ready session's environment survived the restart and rewrites the
// learner's kubeconfig if it went missing.
func (s *Service) adopt(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle) {
	env, err := s.attach(ctx, sess, b)
	if err != nil {
		s.logger.Warn("lab reconcile: cannot adopt session", "session", sess.ID, "error", err)
		return
	}
	if _, err := os.Stat(s.kubeconfigPath(sess)); errors.Is(err, os.ErrNotExist) {
		if err := s.writeKubeconfig(ctx, sess, env); err != nil {
			s.logger.Warn("lab reconcile: rewrite kubeconfig", "session", sess.ID, "error", err)
		}
	}
	s.logger.Info("lab session adopted", "session", sess.ID, "lab", sess.LabID, "cluster", sess.Cluster, "namespace", sess.Namespace)
}

// collectLeftovers deletes environments of this installation that no active session accounts
// for: a crash between creating and recording, a failed clean-up, a database restored from an
// older backup.
func (s *Service) collectLeftovers(ctx context.Context, inUse map[backend.Ref]bool, clusters map[string]bool, startup bool) {
	found, err := s.backend.Inventory(ctx)
	if err != nil {
		if s.inventoryDown.Swap(true) {
			s.logger.Debug("lab reconcile: inventory", "error", err)
		} else {
			s.logger.Warn("lab reconcile: cannot list lab environments (is Docker reachable?); retrying quietly", "error", err)
		}
		return
	}
	if s.inventoryDown.Swap(false) {
		s.logger.Info("lab reconcile: lab environments can be listed again")
	}
	s.forgetVanishedPool(ctx, found, startup)
	for _, f := range found {
		switch {
		case f.Namespace != "" && !inUse[f.Ref]:
			s.logger.Warn("lab reconcile: deleting leftover namespace", "cluster", f.Cluster, "namespace", f.Namespace, "session", f.Session)
			req := backend.Request{Session: f.Session, Scope: domain.LabScopeNamespace}
			if err := s.backend.Release(ctx, req, f.Ref); err != nil {
				s.logger.Error("lab reconcile: delete leftover", "namespace", f.Namespace, "error", err)
			}
		case f.Namespace == "" && !clusters[f.Cluster]:
			d, ok := s.backend.(ClusterDeleter)
			if !ok {
				continue
			}
			s.logger.Warn("lab reconcile: deleting leftover cluster", "cluster", f.Cluster)
			if err := d.DeleteCluster(f.Cluster); err != nil {
				s.logger.Error("lab reconcile: delete leftover cluster", "cluster", f.Cluster, "error", err)
			}
		}
	}
}

package lab

import (
	"context"
	"errors"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
)

// A job is a session's background work: it reports its steps with progress and returns the
// state the session ends in.
type job func(ctx context.Context, progress backend.Progress) (domain.LabState, error)

// setUpJob is the job of Start and Reset: get a fresh environment (obtain provisions one or
// wipes the current one), apply the lab's set-up and write the learner's kubeconfig. Whatever
// fails, what the job made is released.
func (s *Service) setUpJob(sess *domain.LabSession, b *bundle.Bundle, obtain func(ctx context.Context, progress backend.Progress) (*backend.Env, error)) job {
	return func(ctx context.Context, progress backend.Progress) (domain.LabState, error) {
		env, err := obtain(ctx, progress)
		if err != nil {
			return s.cleanUpFailed(ctx, sess, b, progress, err)
		}
		if err := s.setUp(ctx, sess, b, env, progress); err != nil {
			return s.cleanUpFailed(ctx, sess, b, progress, err)
		}
		return domain.LabReady, nil
	}
}

// cleanUpFailed releases what a failed job made, so a failure never leaks a cluster.
func (s *Service) cleanUpFailed(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle, progress backend.Progress, cause error) (domain.LabState, error) {
	_ = s.store.EndLabSteps(ctx, sess.UserID, sess.ID, errorText(cause))
	progress("Clean up")
	ref := refOf(sess)
	if err := s.backend.Release(context.WithoutCancel(ctx), request(sess, b.Scope), ref); err != nil {
		s.logger.Error("lab clean-up failed; the reconciler will retry", "session", sess.ID, "error", err)
	}
	s.removeKubeconfig(sess)
	return domain.LabFailed, cause
}

// setUp applies the lab's set-up to a fresh environment and writes the learner's kubeconfig.
func (s *Service) setUp(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle, env *backend.Env, progress backend.Progress) error {
	progress("Apply the lab's set-up")
	docs, err := b.Setup(env.Namespace)
	if err != nil {
		return err
	}
	labels := map[string]string{kube.LabelManaged: "true", kube.LabelSession: sess.ID}
	if err := env.Client.Apply(ctx, docs, env.Namespace, labels); err != nil {
		return err
	}
	progress("Write your kubeconfig")
	return s.writeKubeconfig(ctx, sess, env)
}

// launch runs a job in the background: its steps go to the store as progress, a heartbeat
// shows it is alive, and its outcome becomes the session's state.
func (s *Service) launch(sess *domain.LabSession, job string, fn job) {
	s.mu.Lock()
	s.running[sess.ID] = true
	s.mu.Unlock()
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		defer func() {
			s.mu.Lock()
			delete(s.running, sess.ID)
			s.mu.Unlock()
		}()
		ctx := s.jobCtx
		t0 := s.now()
		progress := func(step string) {
			if err := s.store.StartLabStep(context.WithoutCancel(ctx), sess.UserID, sess.ID, step); err != nil {
				s.logger.Error("record lab step", "session", sess.ID, "step", step, "error", err)
			}
			s.logger.Debug("lab step", "session", sess.ID, "job", job, "step", step)
		}
		beat := make(chan struct{})
		go func() {
			t := time.NewTicker(15 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-beat:
					return
				case <-t.C:
					_ = s.store.HeartbeatLabSession(context.WithoutCancel(ctx), sess.UserID, sess.ID)
				}
			}
		}()
		state, err := fn(ctx, progress)
		close(beat)
		msg := ""
		if err != nil {
			msg = errorText(err)
			s.logger.Warn("lab job failed", "session", sess.ID, "lab", sess.LabID, "job", job, "error", err)
		} else {
			s.logger.Info("lab job done", "session", sess.ID, "lab", sess.LabID, "job", job, "state", state,
				"seconds", s.now().Sub(t0).Seconds())
		}
		bg := context.WithoutCancel(ctx)
		if err := s.store.EndLabSteps(bg, sess.UserID, sess.ID, msg); err != nil {
			s.logger.Error("end lab steps", "session", sess.ID, "error", err)
		}
		if err := s.store.FinishLabJob(bg, sess.UserID, sess.ID, state, msg); err != nil {
			s.logger.Error("finish lab job", "session", sess.ID, "error", err)
		}
	}()
}

// errorText is the message a learner sees for a failed job: a domain error's own message, or
// the error itself (the learner usually runs the server, and needs to know Docker is down).
func errorText(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	msg := err.Error()
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	return msg
}

// Close cancels running jobs and waits for them to record their outcome.
func (s *Service) Close() { _ = s.Shutdown(context.Background()) }

// Shutdown cancels running jobs and waits for them to record their outcome, or until ctx ends
// (then it returns ctx's error and the jobs finish, or not, on their own).
func (s *Service) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(s.cancel)
	done := make(chan struct{})
	go func() {
		s.jobs.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

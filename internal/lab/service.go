// Package lab runs hands-on lab sessions: Start provisions an environment from a backend in
// the background (steps and heartbeat in SQLite), applies the lab's set-up with server-side
// apply and writes the learner's kubeconfig; Check grades every task against live state; Reset
// returns to the set-up state; Stop deletes the environment. Run reconciles at start-up
// (adopting or deleting what a crash left) and expires idle sessions.
//
// Every method that serves a learner takes the learner's user id and touches only their
// sessions. Subpackages: bundle (the lab format), check (grader), kube (client-go helpers),
// backend (kind, existing cluster), labimage (the labapp image).
package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/lab/check"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"github.com/kcnaprep/kcnaprep/internal/labapp"
)

// Store is what the service keeps in the database (internal/store implements it).
type Store interface {
	CreateLabSession(ctx context.Context, s *domain.LabSession) error
	LabSession(ctx context.Context, userID int64, labID string) (*domain.LabSession, error)
	LabSessionByID(ctx context.Context, userID int64, id string) (*domain.LabSession, error)
	ActiveLabSessions(ctx context.Context, userID int64) ([]*domain.LabSession, error)
	AllActiveLabSessions(ctx context.Context) ([]*domain.LabSession, error)
	StartLabJob(ctx context.Context, userID int64, id string, from []domain.LabState, to domain.LabState, job string) error
	FinishLabJob(ctx context.Context, userID int64, id string, state domain.LabState, errMsg string) error
	SetLabKubeconfig(ctx context.Context, userID int64, id, path string) error
	HeartbeatLabSession(ctx context.Context, userID int64, id string) error
	TouchLabSession(ctx context.Context, userID int64, id string) error
	SaveLabReport(ctx context.Context, userID int64, id string, rep *domain.LabReport) error
	RevealLabHint(ctx context.Context, userID int64, id, taskID string, max int) (int, error)
	StartLabStep(ctx context.Context, userID int64, id, name string) error
	EndLabSteps(ctx context.Context, userID int64, id, errMsg string) error
}

// Labs finds labs by id (the catalog).
type Labs interface {
	Lab(id string) *catalog.Lab
}

// Service runs lab sessions on one backend.
type Service struct {
	backend    backend.Backend
	store      Store
	labs       Labs
	logger     *slog.Logger
	dir        string // learners' kubeconfig files
	ttl        time.Duration
	staleAfter time.Duration
	tick       time.Duration
	now        func() time.Time

	jobCtx    context.Context
	cancel    context.CancelFunc
	jobs      sync.WaitGroup
	mu        sync.Mutex
	running   map[string]bool // sessions with a job in this process
	closeOnce sync.Once
	// inventoryDown is set while listing the backend's environments fails (e.g. no Docker),
	// so that is logged once as a warning, not every reconcile tick.
	inventoryDown atomic.Bool
}

// Option configures a Service.
type Option func(*Service)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// WithTTL sets how long a ready session may stay idle (no learner action) before it is stopped
// (default 2 hours; 0 disables expiry).
func WithTTL(d time.Duration) Option { return func(s *Service) { s.ttl = d } }

// WithSessionDir sets where learners' kubeconfig files are written (default: a temporary dir).
func WithSessionDir(dir string) Option { return func(s *Service) { s.dir = dir } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithReconcileInterval sets how often Run looks for idle and orphaned sessions (default 1m).
func WithReconcileInterval(d time.Duration) Option { return func(s *Service) { s.tick = d } }

// NewService returns a Service. Background jobs run until Close.
func NewService(b backend.Backend, st Store, labs Labs, opts ...Option) *Service {
	s := &Service{backend: b, store: st, labs: labs, logger: slog.Default(), ttl: 2 * time.Hour,
		staleAfter: 2 * time.Minute, tick: time.Minute, now: time.Now, running: map[string]bool{},
		dir: filepath.Join(os.TempDir(), "kcnaprep-lab-sessions")}
	for _, o := range opts {
		o(s)
	}
	s.jobCtx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Backend is the backend's name.
func (s *Service) Backend() string { return s.backend.Name() }

// Available says why labs cannot run now (e.g. no Docker engine for kind), or nil.
func (s *Service) Available(ctx context.Context) error {
	if c, ok := s.backend.(backend.Checker); ok {
		return c.Available(ctx)
	}
	return nil
}

func (s *Service) lab(id string) (*catalog.Lab, *bundle.Bundle, error) {
	l := s.labs.Lab(id)
	if l == nil {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "There is no lab %q.", id)
	}
	b, err := bundle.Of(l)
	if err != nil {
		return nil, nil, err
	}
	return l, b, nil
}

func request(sess *domain.LabSession, scope string) backend.Request {
	return backend.Request{Owner: "u" + strconv.FormatInt(sess.UserID, 10), Session: sess.ID, Lab: sess.LabID, Scope: scope}
}

// refOf is where a session's environment lives.
func refOf(sess *domain.LabSession) backend.Ref {
	return backend.Ref{Cluster: sess.Cluster, Namespace: sess.Namespace}
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Start starts the lab for the user: it records a session and provisions it in the background.
// When the user already runs the lab, it returns that session.
func (s *Service) Start(ctx context.Context, userID int64, labID string) (*domain.LabSession, error) {
	_, b, err := s.lab(labID)
	if err != nil {
		return nil, err
	}
	if cur, err := s.store.LabSession(ctx, userID, labID); err == nil && cur.State.Active() {
		if err := s.sameBackend(cur); err != nil {
			return nil, err
		}
		return cur, s.store.TouchLabSession(ctx, userID, cur.ID)
	}
	if err := s.Available(ctx); err != nil {
		return nil, err
	}
	sess := &domain.LabSession{ID: newID(), UserID: userID, LabID: labID, Backend: s.backend.Name()}
	ref, err := s.backend.Plan(request(sess, b.Scope))
	if err != nil {
		return nil, err
	}
	sess.Cluster, sess.Namespace = ref.Cluster, ref.Namespace
	if err := s.store.CreateLabSession(ctx, sess); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT { // started concurrently: that one wins
			return s.store.LabSession(ctx, userID, labID)
		}
		return nil, err
	}
	s.launch(sess, "start", func(ctx context.Context, progress backend.Progress) (domain.LabState, error) {
		env, err := s.backend.Provision(ctx, request(sess, b.Scope), progress)
		if err != nil {
			return s.cleanUpFailed(ctx, sess, b, progress, err)
		}
		if err := s.setUp(ctx, sess, b, env, progress); err != nil {
			return s.cleanUpFailed(ctx, sess, b, progress, err)
		}
		return domain.LabReady, nil
	})
	return s.store.LabSessionByID(ctx, userID, sess.ID)
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

func (s *Service) kubeconfigPath(sess *domain.LabSession) string {
	return filepath.Join(s.dir, sess.ID+".kubeconfig")
}

func (s *Service) writeKubeconfig(ctx context.Context, sess *domain.LabSession, env *backend.Env) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("session dir: %w", err)
	}
	path := s.kubeconfigPath(sess)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, env.Kubeconfig, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return s.store.SetLabKubeconfig(ctx, sess.UserID, sess.ID, path)
}

func (s *Service) removeKubeconfig(sess *domain.LabSession) {
	if err := os.Remove(s.kubeconfigPath(sess)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.logger.Warn("remove lab kubeconfig", "session", sess.ID, "error", err)
	}
}

// launch runs a job in the background: its steps go to the store as progress, a heartbeat
// shows it is alive, and its outcome becomes the session's state.
func (s *Service) launch(sess *domain.LabSession, job string, fn func(ctx context.Context, progress backend.Progress) (domain.LabState, error)) {
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

// Session returns the user's latest session of the lab, or ENOTFOUND.
func (s *Service) Session(ctx context.Context, userID int64, labID string) (*domain.LabSession, error) {
	return s.store.LabSession(ctx, userID, labID)
}

// Sessions returns the user's active sessions.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]*domain.LabSession, error) {
	return s.store.ActiveLabSessions(ctx, userID)
}

// ready returns the user's ready session of the lab, or a coded error saying why there is none.
func (s *Service) ready(ctx context.Context, userID int64, labID string) (*domain.LabSession, *bundle.Bundle, error) {
	_, b, err := s.lab(labID)
	if err != nil {
		return nil, nil, err
	}
	sess, err := s.store.LabSession(ctx, userID, labID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.sameBackend(sess); err != nil {
		return nil, nil, err
	}
	switch sess.State {
	case domain.LabReady:
		return sess, b, nil
	case domain.LabEnded, domain.LabFailed:
		return nil, nil, domain.Errorf(domain.ECONFLICT, "This lab is not running: start it first.")
	default:
		return nil, nil, domain.Errorf(domain.ECONFLICT, "The lab is %s; wait until it is ready.", sess.State)
	}
}

// sameBackend refuses a session another backend runs (the server's configuration changed
// while it was active): this backend cannot reach or clean up its environment.
func (s *Service) sameBackend(sess *domain.LabSession) error {
	if sess.Backend != s.backend.Name() {
		return domain.Errorf(domain.ECONFLICT, "This lab was started on the %s lab backend, and this server now uses %s: switch back to finish it.",
			sess.Backend, s.backend.Name())
	}
	return nil
}

// attach reconnects to a session's environment; an environment that vanished ends the session.
func (s *Service) attach(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle) (*backend.Env, error) {
	env, err := s.backend.Attach(ctx, request(sess, b.Scope), refOf(sess))
	if errors.Is(err, backend.ErrGone) {
		msg := "The lab's environment was deleted outside kcnaprep; start the lab again."
		_ = s.store.FinishLabJob(ctx, sess.UserID, sess.ID, domain.LabFailed, msg)
		s.removeKubeconfig(sess)
		return nil, domain.Errorf(domain.EGONE, "%s", msg)
	}
	if err != nil {
		return nil, fmt.Errorf("reach the lab's cluster: %w", err)
	}
	return env, nil
}

// checkBudget bounds a whole Check, so that it answers within an HTTP request even when many
// slow checks queue for the grader's parallel slots: a check cut short fails.
const checkBudget = 50 * time.Second

// Touch records that the learner is working on the lab (they opened its page), so an open lab
// does not expire while they type kubectl commands. It is a no-op without an active session.
func (s *Service) Touch(ctx context.Context, userID int64, labID string) error {
	sess, err := s.store.LabSession(ctx, userID, labID)
	if err != nil || !sess.State.Active() {
		return nil
	}
	return s.store.TouchLabSession(ctx, userID, sess.ID)
}

// Check grades every task of the user's running lab against the cluster, stores and returns
// the report.
func (s *Service) Check(ctx context.Context, userID int64, labID string) (*domain.LabReport, error) {
	sess, b, err := s.ready(ctx, userID, labID)
	if err != nil {
		return nil, err
	}
	env, err := s.attach(ctx, sess, b)
	if err != nil {
		return nil, err
	}
	gctx, cancel := context.WithTimeout(ctx, checkBudget)
	defer cancel()
	rep := check.Grade(gctx, &check.Cluster{Client: env.Client, Namespace: env.Namespace, ProbeImage: labapp.Image}, b.Tasks)
	if err := s.store.SaveLabReport(ctx, userID, sess.ID, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// Reset puts the user's running lab back to its set-up state, in the background.
func (s *Service) Reset(ctx context.Context, userID int64, labID string) (*domain.LabSession, error) {
	sess, b, err := s.ready(ctx, userID, labID)
	if err != nil {
		return nil, err
	}
	if err := s.store.StartLabJob(ctx, userID, sess.ID, []domain.LabState{domain.LabReady}, domain.LabResetting, "reset"); err != nil {
		return nil, err
	}
	s.launch(sess, "reset", func(ctx context.Context, progress backend.Progress) (domain.LabState, error) {
		ref := refOf(sess)
		env, err := s.backend.Reset(ctx, request(sess, b.Scope), ref, progress)
		if err != nil {
			return s.cleanUpFailed(ctx, sess, b, progress, err)
		}
		if err := s.setUp(ctx, sess, b, env, progress); err != nil {
			return s.cleanUpFailed(ctx, sess, b, progress, err)
		}
		return domain.LabReady, nil
	})
	return s.store.LabSessionByID(ctx, userID, sess.ID)
}

// Stop finishes the user's lab: its environment is deleted in the background.
func (s *Service) Stop(ctx context.Context, userID int64, labID string) (*domain.LabSession, error) {
	_, b, err := s.lab(labID)
	if err != nil {
		return nil, err
	}
	sess, err := s.store.LabSession(ctx, userID, labID)
	if err != nil {
		return nil, err
	}
	if err := s.sameBackend(sess); err != nil {
		return nil, err
	}
	if err := s.stop(ctx, sess, b, "stop"); err != nil {
		return nil, err
	}
	return s.store.LabSessionByID(ctx, userID, sess.ID)
}

func (s *Service) stop(ctx context.Context, sess *domain.LabSession, b *bundle.Bundle, job string) error {
	if err := s.store.StartLabJob(ctx, sess.UserID, sess.ID, []domain.LabState{domain.LabReady}, domain.LabStopping, job); err != nil {
		return err
	}
	s.launch(sess, job, func(ctx context.Context, progress backend.Progress) (domain.LabState, error) {
		progress("Delete the lab's environment")
		ref := refOf(sess)
		err := s.backend.Release(ctx, request(sess, b.Scope), ref)
		s.removeKubeconfig(sess)
		if err != nil {
			return domain.LabFailed, err
		}
		return domain.LabEnded, nil
	})
	return nil
}

// Kubeconfig returns the learner's kubeconfig of the running lab and its path.
func (s *Service) Kubeconfig(ctx context.Context, userID int64, labID string) (string, []byte, error) {
	sess, _, err := s.ready(ctx, userID, labID)
	if err != nil {
		return "", nil, err
	}
	data, err := os.ReadFile(sess.Kubeconfig)
	if err != nil {
		return "", nil, fmt.Errorf("read lab kubeconfig: %w", err)
	}
	_ = s.store.TouchLabSession(ctx, userID, sess.ID)
	return sess.Kubeconfig, data, nil
}

// RevealHint reveals the next hint of a task and returns how many are now revealed.
func (s *Service) RevealHint(ctx context.Context, userID int64, labID, taskID string) (int, error) {
	l, _, err := s.lab(labID)
	if err != nil {
		return 0, err
	}
	var task *catalog.LabTask
	for i := range l.Tasks {
		if l.Tasks[i].ID == taskID {
			task = &l.Tasks[i]
		}
	}
	if task == nil {
		return 0, domain.Errorf(domain.ENOTFOUND, "This lab has no task %q.", taskID)
	}
	sess, err := s.store.LabSession(ctx, userID, labID)
	if err != nil {
		return 0, domain.Errorf(domain.ECONFLICT, "Start the lab to see its hints.")
	}
	return s.store.RevealLabHint(ctx, userID, sess.ID, taskID, len(task.Hints))
}

// Wait polls until no job runs on the user's latest session of the lab, and returns it.
func (s *Service) Wait(ctx context.Context, userID int64, labID string, onChange func(*domain.LabSession)) (*domain.LabSession, error) {
	for {
		sess, err := s.store.LabSession(ctx, userID, labID)
		if err != nil {
			return nil, err
		}
		if onChange != nil {
			onChange(sess)
		}
		if !sess.State.Busy() {
			return sess, nil
		}
		select {
		case <-ctx.Done():
			return sess, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Close cancels running jobs and waits for them to record their outcome.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		s.jobs.Wait()
	})
}

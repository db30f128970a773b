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
	bundles    bundle.Bundles
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
	metrics   *metrics
	pool      pool // the warm pool (pool.go)
	// inventoryDown is set while listing the backend's environments fails (e.g. no Docker),
	// so that is logged once as a warning, not every reconcile tick.
	inventoryDown atomic.Bool
	terminals     terminals // the toolbox and who has a terminal open (terminal.go)
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

// NewService returns a Service for the labs (the catalog) and their compiled bundles.
// Background jobs run until Close or Shutdown.
func NewService(b backend.Backend, st Store, labs Labs, bundles bundle.Bundles, opts ...Option) *Service {
	s := &Service{backend: b, store: st, labs: labs, bundles: bundles, logger: slog.Default(), ttl: 2 * time.Hour,
		staleAfter: 2 * time.Minute, tick: time.Minute, now: time.Now, running: map[string]bool{},
		dir: filepath.Join(os.TempDir(), "kcnaprep-lab-sessions"), metrics: newMetrics()}
	s.pool.init()
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
	b := s.bundles.Lab(id)
	if b == nil {
		return nil, nil, fmt.Errorf("lab %s was not loaded by the lab engine", id)
	}
	return l, b, nil
}

func request(sess *domain.LabSession, scope string) backend.Request {
	return backend.Request{Owner: "u" + strconv.FormatInt(sess.UserID, 10), Session: sess.ID, Lab: sess.LabID, Scope: scope,
		Cluster: sess.Cluster}
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
	t0 := s.now()
	sess := &domain.LabSession{ID: newID(), UserID: userID, LabID: labID, Backend: s.backend.Name()}
	// With a pool, a learner's cluster may be a claimed one: namespace labs go to it (pool.go).
	if sess.Cluster, err = s.learnerCluster(ctx, userID, b); err != nil {
		return nil, err
	}
	if pooler, _, ok := s.pooling(); ok && pooler.Serves(request(sess, b.Scope)) {
		switch claimed, err := s.startWarm(ctx, sess, b, t0); {
		case domain.ErrorCode(err) == domain.ECONFLICT: // started concurrently: that one wins
			return s.store.LabSession(ctx, userID, labID)
		case err != nil:
			return nil, err
		case claimed:
			return s.store.LabSessionByID(ctx, userID, sess.ID)
		}
	}
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
	s.launch(sess, "start", s.timed("cold", t0, s.setUpJob(sess, b, func(ctx context.Context, progress backend.Progress) (*backend.Env, error) {
		return s.backend.Provision(ctx, request(sess, b.Scope), progress)
	})))
	return s.store.LabSessionByID(ctx, userID, sess.ID)
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
	t0 := time.Now()
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
	s.metrics.check.Observe(time.Since(t0).Seconds())
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
	switch warm, err := s.resetWarm(ctx, sess, b); {
	case err != nil:
		_ = s.store.FinishLabJob(ctx, userID, sess.ID, domain.LabReady, "")
		return nil, err
	case warm:
		return s.store.LabSessionByID(ctx, userID, sess.ID)
	}
	s.launch(sess, "reset", s.setUpJob(sess, b, func(ctx context.Context, progress backend.Progress) (*backend.Env, error) {
		return s.backend.Reset(ctx, request(sess, b.Scope), refOf(sess), progress)
	}))
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

package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/study"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

// Config is the server's configuration. cmd/server fills it from flags and environment.
type Config struct {
	Addr            string        // listen address, e.g. 127.0.0.1:8080
	DataDir         string        // holds kcnaprep.db and, later, lab kubeconfigs
	ContentDir      string        // "" serves the embedded content
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGTERM
	SecureCookies   bool          // mark session cookies Secure (serve over HTTPS)
	BaseURL         string        // public URL links handed out start with; "" : each request's host
	ExistingData    bool          // refuse a missing database instead of creating one (commands other than serve and migrate)

	// Labs.
	LabBackend    string        // "kind" (the default when empty), "kubeconfig", "incluster" or "none"
	LabKubeconfig string        // admin kubeconfig of an existing cluster, for LabBackend "kubeconfig"
	LabAPIServer  string        // API server URL for learners' kubeconfigs (kubeconfig, incluster); "" for the server's own
	KindNodeImage string        // kind node image; "" keeps kind's default
	LabappBinary  string        // the labapp binary; "" finds or builds it (see internal/lab/labimage)
	LabIdleTTL    time.Duration // a lab idle this long is stopped; 0 never
	LabPool       int           // environments prepared in advance; -1 decides from free memory
	// LabIsolation is, for the kind backend, "cluster" (a kind cluster per learner, the default
	// when empty) or "namespace" (one shared kind cluster, a namespace per learner's lab).
	LabIsolation   string
	LabMaxClusters int    // namespace isolation: how many per-learner clusters cluster-scope labs may hold at once
	ToolboxKubectl string // kubectl packed into the toolbox image; "" finds one (see internal/lab/toolbox)
	ToolboxBusybox string // static busybox packed into the toolbox image; "" finds one
}

// DatabasePath is where the SQLite file lives.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "kcnaprep.db") }

// App is a running kcnaprep: content, database, services and (for Open) the HTTP handler.
type App struct {
	Config  Config
	Logger  *slog.Logger
	Catalog *catalog.Catalog
	Bundles bundle.Bundles // the lab engine's compiled labs
	DB      *store.DB
	Trainer *trainer.Service
	Study   *study.Service
	Auth    *auth.Service
	Class   *classroom.Service
	Labs    *lab.Service       // nil when LabBackend is "none"
	Local   *domain.User       // the single-learner profile; nil in accounts mode
	HTTP    *httpserver.Server // nil after OpenServices

	tContent time.Duration // how long loading the content took
}

// Open loads and validates the content, opens and migrates the database, builds the services
// and the HTTP handler, and indexes the lessons for search. Invalid content is an error listing
// every problem (catalog.Problems).
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	t0 := time.Now()
	a, err := OpenServices(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := a.openHTTP(ctx); err != nil {
		a.Close()
		return nil, err
	}
	source := "embedded"
	if cfg.ContentDir != "" {
		source = cfg.ContentDir
	}
	// Loading content (Markdown, YAML, CEL) makes tens of MiB of short-lived garbage; hand it
	// back to the OS now rather than carry it as resident memory until the GC gets round to it.
	debug.FreeOSMemory()
	cat := a.Catalog
	a.Logger.Info("content loaded", "source", source, "domains", len(cat.Domains), "lessons", len(cat.Lessons),
		"questions", len(cat.Questions), "labs", len(cat.Labs), "content_ms", a.tContent.Milliseconds(),
		"total_ms", time.Since(t0).Milliseconds(), "database", cfg.DatabasePath())
	return a, nil
}

// OpenServices loads and validates the content, opens and migrates the database and builds the
// services, without the HTTP handler or the search index: what the CLI's lab commands need.
func OpenServices(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	if logger == nil {
		logger = slog.Default()
	}
	a := &App{Config: cfg, Logger: logger}
	t0 := time.Now()
	content, err := LoadContent(cfg.ContentDir)
	if err != nil {
		return nil, fmt.Errorf("load content: %w", err)
	}
	a.Catalog, a.Bundles = content.Catalog, content.Bundles
	a.tContent = time.Since(t0)

	var dbOpts []store.Option
	if cfg.ExistingData {
		dbOpts = append(dbOpts, store.MustExist())
	}
	if a.DB, err = store.Open(ctx, cfg.DatabasePath(), dbOpts...); err != nil {
		return nil, err
	}
	a.Class = classroom.New(a.Catalog, a.DB)
	a.Trainer = trainer.New(a.Catalog, a.DB, trainer.WithLogger(logger), trainer.WithOutside(a.Class))
	a.Study = study.New(a.Catalog, a.DB)
	a.Auth = auth.New(a.DB)
	if a.Labs, err = newLabService(ctx, cfg, a.DB, a.Catalog, a.Bundles, logger); err != nil {
		a.DB.Close()
		return nil, err
	}
	accounts, err := a.DB.HasAccounts(ctx)
	if err != nil {
		a.Close()
		return nil, err
	}
	if !accounts {
		if a.Local, err = a.DB.EnsureLocalUser(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

// openHTTP builds the HTTP handler on the services and indexes the lessons for search.
func (a *App) openHTTP(ctx context.Context) error {
	opts := []httpserver.Option{httpserver.WithLogger(a.Logger), httpserver.WithTrainer(a.Trainer),
		httpserver.WithStudy(a.Study), httpserver.WithClassroom(a.Class), httpserver.WithReadinessCheck(a.DB.Ping),
		httpserver.WithBaseURL(a.Config.BaseURL)}
	if a.Labs != nil {
		opts = append(opts, httpserver.WithLabs(a.Labs))
	}
	if a.Local == nil {
		sm := scs.New()
		sm.Store = a.DB.Sessions()
		sm.Codec = httpserver.SessionCodec{}
		sm.Lifetime = 14 * 24 * time.Hour
		sm.IdleTimeout = 3 * 24 * time.Hour
		sm.Cookie.Name = "kcnaprep_session"
		sm.Cookie.HttpOnly = true
		sm.Cookie.SameSite = http.SameSiteLaxMode
		sm.Cookie.Secure = a.Config.SecureCookies
		opts = append(opts, httpserver.WithAccounts(sm, a.Auth))
		a.Logger.Info("accounts mode: learners sign in")
	} else {
		opts = append(opts, httpserver.WithLocalUser(a.Local))
		a.Logger.Info("single-learner mode: no accounts configured")
	}
	var err error
	if a.HTTP, err = httpserver.New(a.Catalog, opts...); err != nil {
		return err
	}
	return a.Study.IndexSearch(ctx)
}

// Serve serves HTTP on ln until ctx is cancelled, then shuts down gracefully: /readyz turns
// unready, new connections are refused and in-flight requests get ShutdownTimeout to finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.HTTP,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Background work lives as long as the server: exams past their deadline get submitted,
	// expired sign-in sessions are deleted, and labs reconcile what a crash left, then expire
	// idle labs. At shutdown it is cancelled and waited for (labs wait for their running jobs).
	// The whole shutdown (in-flight requests, then background work and lab jobs) is bounded by
	// ShutdownTimeout: a lab job still running then is left to the next start's reconciler.
	timeout := a.shutdownTimeout()
	// deadline is set when shutdown starts; the deferred wait below cancels it only after
	// waiting (a plain `defer cancel()` after this one would run first and end the wait at once).
	var deadline context.Context
	cancelDeadline := context.CancelFunc(func() {})
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	defer func() {
		stopBG()
		if deadline == nil {
			deadline, cancelDeadline = context.WithTimeout(context.Background(), timeout)
		}
		defer cancelDeadline()
		if !waitGroup(deadline, &background) {
			a.Logger.Warn("background work still running at the shutdown timeout", "timeout", timeout)
		}
	}()
	background.Go(func() { a.Trainer.Run(bg) })
	background.Go(func() { a.sweepSessions(bg, time.Hour) })
	if a.Labs != nil {
		background.Go(func() { _ = a.Labs.Run(bg) })
	}
	a.HTTP.SetReady(true)
	a.Logger.Info("listening", "addr", "http://"+ln.Addr().String())

	select {
	case err := <-errc:
		a.HTTP.SetReady(false)
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.HTTP.SetReady(false)
	a.Logger.Info("shutting down", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	deadline, cancelDeadline = sctx, cancel
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.Logger.Info("stopped")
	return nil
}

// shutdownTimeout is Config.ShutdownTimeout, 15s when unset.
func (a *App) shutdownTimeout() time.Duration {
	if a.Config.ShutdownTimeout <= 0 {
		return 15 * time.Second
	}
	return a.Config.ShutdownTimeout
}

// waitGroup waits for wg until ctx ends, and reports whether wg finished.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// Close stops the lab jobs (waiting at most the shutdown timeout for them to record their
// outcome) and releases the database.
func (a *App) Close() error {
	if a.Labs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), a.shutdownTimeout())
		if err := a.Labs.Shutdown(ctx); err != nil {
			a.Logger.Warn("lab jobs still running at the shutdown timeout; the next start reconciles them", "error", err)
		}
		cancel()
	}
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}

// sweepSessions deletes expired sign-in sessions every interval until ctx ends. They are never
// read once expired; without this the table only grows.
func (a *App) sweepSessions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.DB.Sessions().DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Warn("session sweeper", "error", err)
		} else if n > 0 {
			a.Logger.Debug("expired sessions deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

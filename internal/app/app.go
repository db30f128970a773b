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
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

// Config is the server's configuration. cmd/server fills it from flags and environment.
type Config struct {
	Addr            string        // listen address, e.g. 127.0.0.1:8080
	DataDir         string        // holds kcnaprep.db and, later, lab kubeconfigs
	ContentDir      string        // "" serves the embedded content
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGTERM
	SecureCookies   bool          // mark session cookies Secure (serve over HTTPS)
	ExistingData    bool          // refuse a missing database instead of creating one (commands other than serve and migrate)

	// Labs.
	LabBackend    string        // "kind" (the default when empty), "kubeconfig" or "none"
	LabKubeconfig string        // admin kubeconfig of an existing cluster, for LabBackend "kubeconfig"
	KindNodeImage string        // kind node image; "" keeps kind's default
	LabappBinary  string        // the labapp binary; "" finds or builds it (see internal/lab/labimage)
	LabIdleTTL    time.Duration // a lab idle this long is stopped; 0 never
}

// DatabasePath is where the SQLite file lives.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "kcnaprep.db") }

// App is a running kcnaprep: content, database, services and HTTP handler.
type App struct {
	Config  Config
	Logger  *slog.Logger
	Catalog *catalog.Catalog
	DB      *store.DB
	HTTP    *httpserver.Server
	Trainer *trainer.Service
	Labs    *lab.Service // nil when LabBackend is "none"
	Local   *domain.User // the single-learner profile; nil in accounts mode
}

// Open loads and validates the content, opens and migrates the database, and builds the
// HTTP handler. Invalid content is an error listing every problem (catalog.Problems).
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	if logger == nil {
		logger = slog.Default()
	}
	a := &App{Config: cfg, Logger: logger}
	t0 := time.Now()
	cat, err := LoadCatalog(cfg.ContentDir)
	if err != nil {
		return nil, fmt.Errorf("load content: %w", err)
	}
	a.Catalog = cat
	tContent := time.Since(t0)

	var dbOpts []store.Option
	if cfg.ExistingData {
		dbOpts = append(dbOpts, store.MustExist())
	}
	if a.DB, err = store.Open(ctx, cfg.DatabasePath(), dbOpts...); err != nil {
		return nil, err
	}
	a.Trainer = trainer.New(cat, a.DB, trainer.WithLogger(logger))
	opts := []httpserver.Option{httpserver.WithLogger(logger), httpserver.WithTrainer(a.Trainer)}
	if a.Labs, err = newLabService(ctx, cfg, a.DB, cat, logger); err != nil {
		a.DB.Close()
		return nil, err
	}
	if a.Labs != nil {
		opts = append(opts, httpserver.WithLabs(a.Labs))
	}
	accounts, err := a.DB.HasAccounts(ctx)
	if err != nil {
		a.DB.Close()
		return nil, err
	}
	if accounts {
		sm := scs.New()
		sm.Store = a.DB.Sessions()
		sm.Lifetime = 14 * 24 * time.Hour
		sm.IdleTimeout = 3 * 24 * time.Hour
		sm.Cookie.Name = "kcnaprep_session"
		sm.Cookie.HttpOnly = true
		sm.Cookie.SameSite = http.SameSiteLaxMode
		sm.Cookie.Secure = cfg.SecureCookies
		opts = append(opts, httpserver.WithAccounts(sm))
		logger.Info("accounts mode: learners sign in")
	} else {
		local, err := a.DB.EnsureLocalUser(ctx)
		if err != nil {
			a.DB.Close()
			return nil, err
		}
		a.Local = local
		opts = append(opts, httpserver.WithLocalUser(local))
		logger.Info("single-learner mode: no accounts configured")
	}
	a.HTTP, err = httpserver.New(cat, a.DB, opts...)
	if err != nil {
		a.Close()
		return nil, err
	}
	if err := a.HTTP.IndexSearch(ctx); err != nil {
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
	logger.Info("content loaded", "source", source, "domains", len(cat.Domains), "lessons", len(cat.Lessons),
		"questions", len(cat.Questions), "labs", len(cat.Labs), "content_ms", tContent.Milliseconds(),
		"total_ms", time.Since(t0).Milliseconds(), "database", cfg.DatabasePath())
	return a, nil
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
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	defer func() { stopBG(); background.Wait() }()
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
	timeout := a.Config.ShutdownTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	a.Logger.Info("shutting down", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.Logger.Info("stopped")
	return nil
}

// Close releases the database.
func (a *App) Close() error {
	if a.Labs != nil {
		a.Labs.Close()
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

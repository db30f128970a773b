package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// Config is the server's configuration. cmd/server fills it from flags and environment.
type Config struct {
	Addr            string        // listen address, e.g. 127.0.0.1:8080
	DataDir         string        // holds kcnaprep.db and, later, lab kubeconfigs
	ContentDir      string        // "" serves the embedded content
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGTERM

	// Labs.
	LabBackend    string        // "kind" (the default when empty), "kubeconfig" or "none"
	LabKubeconfig string        // admin kubeconfig of an existing cluster, for LabBackend "kubeconfig"
	KindNodeImage string        // kind node image; "" keeps kind's default
	LabappBinary  string        // the labapp binary; "" finds or builds it (see internal/lab/labimage)
	LabIdleTTL    time.Duration // a lab idle this long is stopped; 0 never
}

// DatabasePath is where the SQLite file lives.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "kcnaprep.db") }

// App is a running kcnaprep: content, database, lab service and HTTP handler.
type App struct {
	Config  Config
	Logger  *slog.Logger
	Catalog *catalog.Catalog
	DB      *store.DB
	Labs    *lab.Service // nil when LabBackend is "none"
	Local   *domain.User // the single-learner profile
	HTTP    *httpserver.Server
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

	if a.DB, err = store.Open(ctx, cfg.DatabasePath()); err != nil {
		return nil, err
	}
	local, err := a.DB.EnsureLocalUser(ctx)
	if err != nil {
		a.DB.Close()
		return nil, err
	}
	a.Local = local
	if a.Labs, err = newLabService(ctx, cfg, a.DB, cat, logger); err != nil {
		a.DB.Close()
		return nil, err
	}
	opts := []httpserver.Option{httpserver.WithLogger(logger), httpserver.WithLocalUser(local)}
	if a.Labs != nil {
		opts = append(opts, httpserver.WithLabs(a.Labs))
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
	labsDone := make(chan struct{})
	go func() {
		defer close(labsDone)
		if a.Labs != nil {
			_ = a.Labs.Run(ctx) // reconciles leftovers, expires idle labs; ends with ctx
		}
	}()
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
	<-labsDone
	a.Logger.Info("stopped")
	return nil
}

// Close stops lab jobs and releases the database.
func (a *App) Close() error {
	if a.Labs != nil {
		a.Labs.Close()
	}
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}

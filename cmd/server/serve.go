package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// serveFlags are the server's flags; each falls back to an environment variable.
type serveFlags struct {
	cfg       app.Config
	logLevel  string
	logFormat string
	allowOpen bool   // single-learner mode on a non-loopback address
	debugAddr string // loopback address for net/http/pprof; empty: none
}

// parseServeFlags parses flags, taking defaults from the environment (flags win).
func parseServeFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (serveFlags, error) {
	f, fs, err := parseFlags(name, args, getenv, stderr)
	if err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		return f, exitError{"unexpected argument"}
	}
	return f, nil
}

// parseFlags parses the server's flags and returns the flag set for its positional arguments.
func parseFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (serveFlags, *flag.FlagSet, error) {
	var f serveFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&f.cfg.Addr, "addr", env("KCNAPREP_ADDR", "127.0.0.1:8080"), "listen address (env KCNAPREP_ADDR)")
	fs.StringVar(&f.cfg.DataDir, "data-dir", env("KCNAPREP_DATA_DIR", defaultDataDir(getenv)), "directory for the SQLite database and lab files (env KCNAPREP_DATA_DIR)")
	fs.StringVar(&f.cfg.ContentDir, "content-dir", env("KCNAPREP_CONTENT_DIR", ""), "serve content from this directory (holding content/, quizzes/, labs/) instead of the embedded content (env KCNAPREP_CONTENT_DIR)")
	fs.StringVar(&f.cfg.BaseURL, "base-url", env("KCNAPREP_BASE_URL", ""), "public URL of the server (https://kcna.example.org) that invite and set-password links start with; empty: the host of each request (env KCNAPREP_BASE_URL)")
	fs.StringVar(&f.debugAddr, "debug-addr", env("KCNAPREP_DEBUG_ADDR", ""), "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060; empty: off (env KCNAPREP_DEBUG_ADDR)")
	fs.StringVar(&f.logLevel, "log-level", env("KCNAPREP_LOG_LEVEL", "info"), "debug, info, warn or error (env KCNAPREP_LOG_LEVEL)")
	fs.StringVar(&f.logFormat, "log-format", env("KCNAPREP_LOG_FORMAT", "text"), "text or json (env KCNAPREP_LOG_FORMAT)")
	secure, err := strconv.ParseBool(env("KCNAPREP_SECURE_COOKIES", "false"))
	if err != nil {
		return f, fs, fmt.Errorf("KCNAPREP_SECURE_COOKIES=%q: use true or false (also 1/0, t/f, TRUE/FALSE)", getenv("KCNAPREP_SECURE_COOKIES"))
	}
	fs.BoolVar(&f.cfg.SecureCookies, "secure-cookies", secure, "mark session cookies Secure, for a server behind HTTPS (env KCNAPREP_SECURE_COOKIES=true)")
	allowOpen, err := strconv.ParseBool(env("KCNAPREP_ALLOW_OPEN_SINGLE_LEARNER", "false"))
	if err != nil {
		return f, fs, fmt.Errorf("KCNAPREP_ALLOW_OPEN_SINGLE_LEARNER=%q: use true or false (also 1/0)", getenv("KCNAPREP_ALLOW_OPEN_SINGLE_LEARNER"))
	}
	fs.BoolVar(&f.allowOpen, "allow-open-single-learner", allowOpen,
		"serve single-learner mode (no accounts: everyone who reaches the server acts as its one learner, an admin) on an address other than loopback (env KCNAPREP_ALLOW_OPEN_SINGLE_LEARNER=true)")
	timeout, err := time.ParseDuration(env("KCNAPREP_SHUTDOWN_TIMEOUT", "15s"))
	if err != nil {
		return f, fs, fmt.Errorf("KCNAPREP_SHUTDOWN_TIMEOUT: %w", err)
	}
	fs.DurationVar(&f.cfg.ShutdownTimeout, "shutdown-timeout", timeout, "time in-flight requests get on SIGTERM (env KCNAPREP_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&f.cfg.LabBackend, "lab-backend", env("KCNAPREP_LAB_BACKEND", "kind"), "where labs run: kind (clusters on this host's Docker), kubeconfig (namespaces of an existing cluster), incluster (namespaces of the cluster this server's Pod runs in, through its ServiceAccount) or none (env KCNAPREP_LAB_BACKEND)")
	fs.StringVar(&f.cfg.LabKubeconfig, "lab-kubeconfig", env("KCNAPREP_LAB_KUBECONFIG", ""), "admin kubeconfig of the existing cluster, for --lab-backend kubeconfig (env KCNAPREP_LAB_KUBECONFIG)")
	fs.StringVar(&f.cfg.LabAPIServer, "lab-api-server", env("KCNAPREP_LAB_API_SERVER", ""), "API server URL written into learners' kubeconfigs, for --lab-backend kubeconfig or incluster when learners reach the cluster at another address than the server (env KCNAPREP_LAB_API_SERVER)")
	fs.StringVar(&f.cfg.KindNodeImage, "kind-node-image", env("KCNAPREP_KIND_NODE_IMAGE", ""), "kind node image of lab clusters; empty for kind's default (env KCNAPREP_KIND_NODE_IMAGE)")
	fs.StringVar(&f.cfg.LabappBinary, "labapp-binary", env("KCNAPREP_LABAPP_BINARY", ""), "the labapp binary packed into the lab image; empty to use the one beside the server or build it (env KCNAPREP_LABAPP_BINARY)")
	fs.StringVar(&f.cfg.LabIsolation, "lab-isolation", env("KCNAPREP_LAB_ISOLATION", "cluster"), "kind backend: cluster (a kind cluster per learner) or namespace (one shared kind cluster, a namespace per learner's lab; for a class) (env KCNAPREP_LAB_ISOLATION)")
	maxClusters, err := strconv.Atoi(env("KCNAPREP_LAB_MAX_CLUSTERS", "2"))
	if err != nil {
		return f, fs, fmt.Errorf("KCNAPREP_LAB_MAX_CLUSTERS: %w", err)
	}
	fs.IntVar(&f.cfg.LabMaxClusters, "lab-max-clusters", maxClusters, "with --lab-isolation namespace: per-learner clusters of cluster-scope labs at once; more learners wait in a queue (env KCNAPREP_LAB_MAX_CLUSTERS)")
	fs.StringVar(&f.cfg.ToolboxKubectl, "toolbox-kubectl", env("KCNAPREP_TOOLBOX_KUBECTL", ""), "kubectl packed into the learners' toolbox image; empty to use the one beside the server or on PATH (env KCNAPREP_TOOLBOX_KUBECTL)")
	fs.StringVar(&f.cfg.ToolboxBusybox, "toolbox-busybox", env("KCNAPREP_TOOLBOX_BUSYBOX", ""), "static busybox packed into the learners' toolbox image; empty to use the one beside the server, on PATH or /bin/busybox (env KCNAPREP_TOOLBOX_BUSYBOX)")
	ttl, err := time.ParseDuration(env("KCNAPREP_LAB_IDLE_TTL", "2h"))
	if err != nil {
		return f, fs, fmt.Errorf("KCNAPREP_LAB_IDLE_TTL: %w", err)
	}
	fs.DurationVar(&f.cfg.LabIdleTTL, "lab-idle-ttl", ttl, "a lab nobody acted on for this long is deleted; 0 never (env KCNAPREP_LAB_IDLE_TTL)")
	fs.Func("lab-pool", "lab environments prepared before anyone asks, so a lab starts in seconds (kind clusters; namespaces of the shared cluster with --lab-isolation namespace): a number, or auto for 1 cluster or 3 namespaces when memory allows; 0 for none (env KCNAPREP_LAB_POOL; default auto)", func(v string) error {
		n, err := parsePool(v)
		f.cfg.LabPool = n
		return err
	})
	if f.cfg.LabPool, err = parsePool(env("KCNAPREP_LAB_POOL", "auto")); err != nil {
		return f, fs, fmt.Errorf("KCNAPREP_LAB_POOL: %w", err)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, fs, exitError{"help"}
		}
		return f, fs, exitError{err.Error()}
	}
	if f.cfg.DataDir == "" {
		return f, fs, fmt.Errorf("no data directory: set --data-dir or KCNAPREP_DATA_DIR")
	}
	return f, fs, nil
}

// parsePool reads a pool size: a number of environments, or auto (-1).
func parsePool(v string) (int, error) {
	if v == "auto" || v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("lab pool %q: use a number of environments (0 for none) or auto", v)
	}
	return n, nil
}

// defaultDataDir follows the XDG base directory convention.
func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "kcnaprep")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "kcnaprep")
	}
	return ""
}

func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("log format %q: use text or json", format)
	}
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(f.logLevel, f.logFormat, stderr)
	if err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, f.cfg, getenv, logger); err != nil {
		return err
	}
	a, err := app.Open(ctx, f.cfg, logger)
	if ps, ok := printProblems(stderr, err, ""); ok {
		fmt.Fprintf(stderr, "%d content problem(s): the server will not start on invalid content\n", len(ps))
		return exitError{"invalid content"}
	}
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", f.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.cfg.Addr, err)
	}
	if a.Local != nil && !isLoopback(ln.Addr()) {
		if !f.allowOpen {
			ln.Close()
			fmt.Fprintf(stderr, `refusing to serve on %s without accounts: in single-learner mode there is no sign-in,
and everyone who can reach this address would act as the one learner, an admin.
Either add an account first (then everyone signs in):
    server user add NAME --role admin      (the password is read from stdin)
or listen on loopback only (--addr 127.0.0.1:8080), or, if only you can reach this address,
pass --allow-open-single-learner (env KCNAPREP_ALLOW_OPEN_SINGLE_LEARNER=1).
`, f.cfg.Addr)
			return exitError{"open single-learner mode refused"}
		}
		logger.Warn("single-learner mode on a non-loopback address: anyone who reaches it acts as the admin learner, with no sign-in",
			"addr", ln.Addr().String())
	}
	if f.debugAddr != "" {
		_, stop, err := serveDebug(f.debugAddr, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	return a.Serve(ctx, ln)
}

// serveDebug serves Go's profiler on a loopback address of its own, apart from the app's
// router (no session, no CSP): profiles show code and timings, so it refuses any other address.
func serveDebug(addr string, logger *slog.Logger) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("debug listener on %s: %w", addr, err)
	}
	if !isLoopback(ln.Addr()) {
		ln.Close()
		return "", nil, fmt.Errorf("--debug-addr %s: the profiler is served on loopback only (e.g. 127.0.0.1:6060)", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("debug listener", "addr", addr, "error", err)
		}
	}()
	logger.Info("profiler on loopback", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// bootstrapAdmin creates the first admin from KCNAPREP_ADMIN_USERNAME and
// KCNAPREP_ADMIN_PASSWORD (e.g. from a Kubernetes Secret) when that account does not exist yet,
// so a server in a Pod starts with sign-in and nobody has to exec into it. It is idempotent: an
// existing account is left as it is (its password may have been changed since: change it with
// "server user passwd"), which the unique username decides in the database, not a check here.
func bootstrapAdmin(ctx context.Context, cfg app.Config, getenv func(string) string, logger *slog.Logger) error {
	username, password := getenv("KCNAPREP_ADMIN_USERNAME"), getenv("KCNAPREP_ADMIN_PASSWORD")
	if username == "" && password == "" {
		return nil
	}
	if username == "" || password == "" {
		return errors.New("KCNAPREP_ADMIN_USERNAME and KCNAPREP_ADMIN_PASSWORD go together: set both to create the first admin, or neither")
	}
	if err := domain.ValidateUsername(username); err != nil {
		return fmt.Errorf("KCNAPREP_ADMIN_USERNAME: %s", domain.ErrorMessage(err))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("KCNAPREP_ADMIN_PASSWORD: %s", domain.ErrorMessage(err))
	}
	db, err := store.Open(ctx, cfg.DatabasePath())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.CreateAccount(ctx, username, username, domain.RoleAdmin, hash)
	switch {
	case domain.ErrorCode(err) == domain.ECONFLICT:
		logger.Debug("first admin exists already", "username", username)
		return nil
	case err != nil:
		return fmt.Errorf("create the first admin %s: %w", username, err)
	}
	logger.Info("created the first admin from KCNAPREP_ADMIN_USERNAME", "username", username)
	return nil
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, f.cfg.DatabasePath())
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s at migration %d\n", f.cfg.DatabasePath(), v)
	return nil
}

// isLoopback reports whether a listener's address is reachable from this host only.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

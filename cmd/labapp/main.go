// Command labapp is the workload of kcnaprep's hands-on labs: one small static program (standard
// library only, plus the version constant of internal/labapp) that the server packs into the OCI image kcnaprep.local/labapp:<version> and loads
// into lab clusters, so labs never pull from a registry.
//
// It is a multi-call program: the mode is the first argument, or the name it is called by
// (a link named "probe" runs the probe mode).
//
//	labapp [serve]               HTTP server (the default)
//	labapp sleep [DURATION]      sleep (forever by default); exit 0 on SIGTERM
//	labapp crash [MESSAGE]       print MESSAGE and exit with $CRASH_CODE (default 1) after $CRASH_AFTER
//	labapp probe [flags] URL     reach http://host:port/path or tcp://host:port, print the outcome
//	                             (--once: exit 0 if it answered, 1 if not; --retry-for D: keep trying)
//	labapp version               print the version
//
// The server is configured by environment variables and mounted files:
//
//	PORT          listen port (8080)
//	MESSAGE       text added to the answer of GET /
//	CONFIG_DIR    folder served read-only under /files/ (default /config)
//	READY_AFTER   /readyz answers 503 until this long after start (e.g. 10s)
//	READY_FILE    /readyz answers 503 while this file does not exist
//	FAIL_AFTER    /healthz answers 500 from this long after start on (a hung app)
//	REQUIRE_ENV   comma-separated variables that must be set, or the program exits 1 at start
//	REQUIRE_FILE  comma-separated files that must exist, or the program exits 1 at start
//	LOG_EVERY     write LOG_MESSAGE to stdout this often
//
// Endpoints: / (hello, hostname, version, MESSAGE), /healthz, /readyz, /version, /hostname,
// /env/NAME (a variable's value), /files/NAME (a file of CONFIG_DIR).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/labapp"
)

// Version is labapp's version; the image is tagged with it (see internal/labapp).
const Version = labapp.Version

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches on the program name or the first argument and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	mode, rest := "serve", args[1:]
	switch base := filepath.Base(args[0]); base {
	case "sleep", "crash", "probe", "serve":
		mode = base
	default:
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			mode, rest = rest[0], rest[1:]
		}
	}
	var err error
	switch mode {
	case "serve":
		err = serve(ctx, getenv, stdout, stderr)
	case "sleep":
		err = sleep(ctx, rest)
	case "crash":
		return crash(ctx, rest, getenv, stderr)
	case "probe":
		return probe(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "labapp", Version)
	default:
		fmt.Fprintf(stderr, "labapp: unknown mode %q (serve, sleep, crash, probe, version)\n", mode)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "labapp:", err)
		return 1
	}
	return 0
}

func envDuration(getenv func(string) string, key string) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", key, v, err)
	}
	return d, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// server is the HTTP mode's state.
type server struct {
	getenv     func(string) string
	started    time.Time
	readyAfter time.Duration
	failAfter  time.Duration
	readyFile  string
	configDir  string
	host       string
}

func serve(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	logger := log.New(stdout, "", log.LstdFlags)
	for _, name := range splitList(getenv("REQUIRE_ENV")) {
		if getenv(name) == "" {
			return fmt.Errorf("fatal: required environment variable %s is not set", name)
		}
	}
	for _, f := range splitList(getenv("REQUIRE_FILE")) {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("fatal: required file %s is missing", f)
		}
	}
	s := &server{getenv: getenv, started: time.Now(), readyFile: getenv("READY_FILE"), configDir: getenv("CONFIG_DIR")}
	if s.configDir == "" {
		s.configDir = "/config"
	}
	var err error
	if s.readyAfter, err = envDuration(getenv, "READY_AFTER"); err != nil {
		return err
	}
	if s.failAfter, err = envDuration(getenv, "FAIL_AFTER"); err != nil {
		return err
	}
	logEvery, err := envDuration(getenv, "LOG_EVERY")
	if err != nil {
		return err
	}
	s.host, _ = os.Hostname()
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if _, err := strconv.Atoi(port); err != nil {
		return fmt.Errorf("PORT=%q is not a number", port)
	}
	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(stderr, "", log.LstdFlags),
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Printf("labapp %s serving on :%s (host %s)", Version, port, s.host)
	if logEvery > 0 {
		go func() {
			t := time.NewTicker(logEvery)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					logger.Print(getenv("LOG_MESSAGE"))
				}
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Print("SIGTERM: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		msg := s.getenv("MESSAGE")
		if msg != "" {
			msg = " " + msg
		}
		fmt.Fprintf(w, "hello from %s (labapp %s)%s\n", s.host, Version, msg)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if s.failAfter > 0 && time.Since(s.started) > s.failAfter {
			http.Error(w, "unhealthy: stopped answering after "+s.failAfter.String(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if wait := s.readyAfter - time.Since(s.started); wait > 0 {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		if s.readyFile != "" {
			if _, err := os.Stat(s.readyFile); err != nil {
				http.Error(w, "waiting for "+s.readyFile, http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, Version) })
	mux.HandleFunc("GET /hostname", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, s.host) })
	mux.HandleFunc("GET /env/{name}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := os.LookupEnv(r.PathValue("name"))
		if !ok {
			http.Error(w, "not set", http.StatusNotFound)
			return
		}
		fmt.Fprintln(w, v)
	})
	mux.HandleFunc("GET /files/{name...}", func(w http.ResponseWriter, r *http.Request) {
		root, err := os.OpenRoot(s.configDir)
		if err != nil {
			http.Error(w, "no config dir", http.StatusNotFound)
			return
		}
		defer root.Close()
		data, err := root.ReadFile(r.PathValue("name"))
		if err != nil {
			http.Error(w, "no such file", http.StatusNotFound)
			return
		}
		_, _ = w.Write(data)
	})
	return mux
}

func sleep(ctx context.Context, args []string) error {
	var d time.Duration
	if len(args) > 0 {
		var err error
		if d, err = time.ParseDuration(args[0]); err != nil {
			if n, nerr := strconv.Atoi(args[0]); nerr == nil {
				d = time.Duration(n) * time.Second
			} else {
				return fmt.Errorf("sleep: %w", err)
			}
		}
	}
	if d <= 0 {
		<-ctx.Done()
		return nil
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	return nil
}

func crash(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	after, err := envDuration(getenv, "CRASH_AFTER")
	if err != nil {
		fmt.Fprintln(stderr, "labapp:", err)
		return 2
	}
	code := 1
	if v := getenv("CRASH_CODE"); v != "" {
		if code, err = strconv.Atoi(v); err != nil {
			fmt.Fprintf(stderr, "labapp: CRASH_CODE=%q is not a number\n", v)
			return 2
		}
	}
	select {
	case <-ctx.Done():
		return 0
	case <-time.After(after):
	}
	msg := strings.Join(args, " ")
	if msg == "" {
		msg = "crashing on purpose"
	}
	fmt.Fprintln(stderr, msg)
	return code
}

// probe reaches a URL once (--once) or repeatedly, printing each outcome. With --once the exit
// code says whether the target answered: 0 yes, 1 no. Lab checks run it in a short-lived pod.
func probe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "probe once and exit 0 when the target answers, 1 otherwise")
	timeout := fs.Duration("timeout", 3*time.Second, "time one attempt may take")
	interval := fs.Duration("interval", 2*time.Second, "time between attempts")
	retryFor := fs.Duration("retry-for", 0, "with --once: keep trying this long until the target answers")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: labapp probe [--once [--retry-for D]] [--timeout D] [--interval D] http://HOST:PORT/PATH | tcp://HOST:PORT")
		return 2
	}
	target := fs.Arg(0)
	deadline := time.Now().Add(*retryFor)
	if *retryFor > 0 && *interval > time.Second {
		*interval = time.Second
	}
	for {
		out, err := probeOnce(ctx, target, *timeout)
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", target, err)
		} else {
			fmt.Fprintf(stdout, "OK %s: %s\n", target, out)
		}
		if *once && (err == nil || !time.Now().Add(*interval).Before(deadline)) {
			if err != nil {
				return 1
			}
			return 0
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(*interval):
		}
	}
}

func probeOnce(ctx context.Context, target string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if hostport, ok := strings.CutPrefix(target, "tcp://"); ok {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", hostport)
		if err != nil {
			return "", err
		}
		c.Close()
		return "connected", nil
	}
	if !strings.HasPrefix(target, "http://") {
		return "", errors.New("target must start with http:// or tcp://")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 400 {
		return "", fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body))), nil
}

package testenv

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/study"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

// Server is the real HTTP server with the real services on a real store, listening on a
// loopback port (an httptest.Server), wired like internal/app wires the production server.
type Server struct {
	*httptest.Server
	Handler *httpserver.Server
	Content *Content
	DB      *store.DB
	Clock   *Clock
	Trainer *trainer.Service
	Study   *study.Service
	Auth    *auth.Service
	Class   *classroom.Service
	Labs    *lab.Service // the lab service on Backend; nil without WithLabs
	Backend *FakeBackend // nil without WithLabs
	Pool    *FakePool    // the backend with a warm pool; nil without WithPoolingLabs
	User    *domain.User // the single-learner profile; nil with WithAccounts
}

type serverConfig struct {
	content   *Content
	clock     *Clock
	accounts  bool
	backend   *FakeBackend
	pool      *FakePool
	serveLabs bool
	logger    *slog.Logger
	http      []httpserver.Option
}

// A ServerOption configures MustOpenServer.
type ServerOption func(*serverConfig)

// WithContent serves c (default: MustLoadContent(tb, nil)).
func WithContent(c *Content) ServerOption { return func(sc *serverConfig) { sc.content = c } }

// WithClock runs the store on clock (default: a RunningClock).
func WithClock(clock *Clock) ServerOption { return func(sc *serverConfig) { sc.clock = clock } }

// WithAccounts runs the server in accounts mode: learners sign in (create them with
// MustCreateAccount), sessions live in the store. Default: single-learner mode.
func WithAccounts() ServerOption { return func(sc *serverConfig) { sc.accounts = true } }

// WithLabs builds the real lab service on fb; with serve, the server runs labs with it,
// without, the server shows labs but cannot run them (as with --lab-backend none).
func WithLabs(fb *FakeBackend, serve bool) ServerOption {
	return func(sc *serverConfig) { sc.backend, sc.serveLabs = fb, serve }
}

// WithPoolingLabs is WithLabs on a backend that can prepare environments in advance (the warm
// pool, instructors' pre-warms).
func WithPoolingLabs(fp *FakePool, serve bool) ServerOption {
	return func(sc *serverConfig) { sc.backend, sc.pool, sc.serveLabs = fp.FakeBackend, fp, serve }
}

// WithHTTPOptions adds options of the HTTP server (e.g. httpserver.WithAddressLimit).
func WithHTTPOptions(opts ...httpserver.Option) ServerOption {
	return func(sc *serverConfig) { sc.http = append(sc.http, opts...) }
}

// WithLogger sets the server's logger (default: slog.Default()).
func WithLogger(l *slog.Logger) ServerOption { return func(sc *serverConfig) { sc.logger = l } }

// MustOpenServer builds and starts a Server; it is closed when the test ends. Lessons are
// indexed for search and /readyz reports ready.
func MustOpenServer(tb testing.TB, opts ...ServerOption) *Server {
	tb.Helper()
	s := MustNewServer(tb, opts...)
	s.Server = httptest.NewServer(s.Handler)
	tb.Cleanup(s.Server.Close)
	return s
}

// MustNewServer is MustOpenServer without the listener: the handler, for benchmarks that call
// it directly.
func MustNewServer(tb testing.TB, opts ...ServerOption) *Server {
	tb.Helper()
	sc := serverConfig{logger: slog.Default()}
	for _, o := range opts {
		o(&sc)
	}
	if sc.content == nil {
		sc.content = MustLoadContent(tb, nil)
	}
	if sc.clock == nil {
		sc.clock = RunningClock()
	}
	ctx := context.Background()
	db := MustOpenDB(tb, sc.clock)
	class := classroom.New(sc.content.Catalog, db, classroom.WithClock(sc.clock.Now))
	s := &Server{Content: sc.content, DB: db, Clock: sc.clock, Backend: sc.backend, Pool: sc.pool,
		Trainer: trainer.New(sc.content.Catalog, db, trainer.WithLogger(sc.logger), trainer.WithOutside(class)),
		Study:   study.New(sc.content.Catalog, db), Auth: auth.New(db), Class: class}
	hopts := []httpserver.Option{httpserver.WithLogger(sc.logger), httpserver.WithTrainer(s.Trainer),
		httpserver.WithStudy(s.Study), httpserver.WithClassroom(s.Class), httpserver.WithReadinessCheck(db.Ping)}
	if sc.backend != nil {
		var b backend.Backend = sc.backend
		if sc.pool != nil {
			b = sc.pool
		}
		s.Labs = lab.NewService(b, db, sc.content.Catalog, sc.content.Bundles,
			lab.WithLogger(sc.logger), lab.WithSessionDir(filepath.Join(tb.TempDir(), "sessions")))
		tb.Cleanup(s.Labs.Close)
		if sc.serveLabs {
			hopts = append(hopts, httpserver.WithLabs(s.Labs))
		}
	}
	if sc.accounts {
		sm := scs.New()
		sm.Store = db.Sessions()
		sm.Codec = httpserver.SessionCodec{}
		sm.Cookie.Name = "kcnaprep_session"
		hopts = append(hopts, httpserver.WithAccounts(sm, s.Auth))
	} else {
		s.User = MustLocalUser(tb, db)
		hopts = append(hopts, httpserver.WithLocalUser(s.User))
	}
	hopts = append(hopts, sc.http...)
	var err error
	if s.Handler, err = httpserver.New(sc.content.Catalog, hopts...); err != nil {
		tb.Fatal(err)
	}
	if err := s.Study.IndexSearch(ctx); err != nil {
		tb.Fatal(err)
	}
	s.Handler.SetReady(true)
	return s
}

// NewClient returns a client for the server with a cookie jar that does not follow redirects,
// so tests see each 303 and its Location.
func (s *Server) NewClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

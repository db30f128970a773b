// Package httpserver is kcnaprep's web layer: the router, middleware and handlers. Handlers
// turn requests into calls on the catalog and on services through the interfaces this package
// declares (Trainer, Study, Accounts, LabService), and results into view models that the templ
// pages in web/pages render. It never touches the database itself.
package httpserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/prometheus/client_golang/prometheus"
)

// Server serves kcnaprep over HTTP.
type Server struct {
	catalog    *catalog.Catalog
	logger     *slog.Logger
	registry   *prometheus.Registry
	metrics    *metrics
	assets     *assets
	local      *domain.User // the single-learner profile
	trainer    Trainer
	study      Study
	accounts   Accounts                    // nil in single-learner mode
	sessions   *scs.SessionManager         // nil in single-learner mode
	logins     *loginLimiter               // failed sign-ins per account, or per known device of an account
	addrs      *loginLimiter               // failed sign-ins per client address
	deviceKey  []byte                      // signs the known-device cookie
	labs       LabService                  // nil: labs are listed but cannot run
	classroom  Classroom                   // nil: no classroom
	baseURL    string                      // public URL links start with; "": the request's
	readyCheck func(context.Context) error // nil: none
	ready      atomic.Bool
	handler    http.Handler
}

// Option configures a Server.
type Option func(*Server)

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.logger = l } }

// WithLocalUser runs the server in single-learner mode: every request acts as u, no login.
func WithLocalUser(u *domain.User) Option { return func(s *Server) { s.local = u } }

// WithAddressLimit sets how many failed sign-ins one client address may make at once, and how
// often it gets one more (default 30, and one per 10 seconds).
func WithAddressLimit(burst int, every time.Duration) Option {
	return func(s *Server) { s.addrs = newLimiter(burst, every) }
}

// New returns a Server for the catalog. It needs a trainer (WithTrainer), a study service
// (WithStudy) and a user source (WithLocalUser or WithAccounts).
func New(cat *catalog.Catalog, opts ...Option) (*Server, error) {
	s := &Server{catalog: cat, logger: slog.Default(), logins: newLoginLimiter(),
		addrs: newAddrLimiter(), deviceKey: newDeviceKey()}
	for _, o := range opts {
		o(s)
	}
	if s.trainer == nil || s.study == nil {
		return nil, fmt.Errorf("httpserver: use WithTrainer and WithStudy")
	}
	if s.local == nil && s.sessions == nil {
		return nil, fmt.Errorf("httpserver: no user source: use WithLocalUser or WithAccounts")
	}
	var err error
	s.registry = NewRegistry()
	if s.metrics, err = newMetrics(s.registry); err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetReady marks the server ready (or not) for /readyz: false during start-up and shutdown.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(s.logRequests)
	r.Use(s.recoverPanics)
	r.Use(s.measure)
	r.Use(securityHeaders)
	r.Use(middleware.GetHead) // HEAD answers as GET, without the body (monitors use HEAD)
	r.Use(s.limitBody)

	// Operations endpoints: no user, no CSRF check needed (GET only).
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Handle("/metrics", s.metricsHandler())
	r.Handle("/static/*", http.StripPrefix("/static/", s.assets))

	r.Group(func(r chi.Router) {
		// CSRF: Go's cross-origin protection rejects unsafe requests a browser marks as
		// cross-site (Sec-Fetch-Site) or whose Origin does not match the host.
		cop := http.NewCrossOriginProtection()
		cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, domain.Errorf(domain.EFORBIDDEN, "This request came from another site and was refused."))
		}))
		r.Use(cop.Handler)
		if s.sessions != nil {
			r.Use(s.sessions.LoadAndSave)
		}
		r.Use(s.identify)
		r.Get("/login", s.handleLoginForm)
		r.Post("/login", s.handleLogin)
		r.Post("/logout", s.handleLogout)
		s.classroomPublicRoutes(r)
		r.Group(func(r chi.Router) {
			r.Use(s.requireLogin)
			s.learnerRoutes(r)
			s.classroomRoutes(r)
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "There is no page at %s.", r.URL.Path))
	})
	r.MethodNotAllowed(s.handleMethodNotAllowed)
	return r
}

// learnerRoutes are the pages of a signed-in learner (everyone, in single-learner mode).
func (s *Server) learnerRoutes(r chi.Router) {
	r.Get("/", s.handleDashboard)
	r.Get("/domains/{domainID}", s.handleDomain)
	r.Get("/lessons/{domainID}/{slug}", s.handleLesson)
	r.Post("/lessons/{domainID}/{slug}/complete", s.handleLessonComplete)
	r.Get("/search", s.handleSearch)

	r.Get("/practice", s.handlePracticeHome)
	r.Get("/practice/next", s.handlePracticeNext)
	r.Get("/practice/q/{id}", s.handlePracticeQuestion)
	r.Post("/practice/q/{id}", s.handlePracticeAnswer)
	r.Get("/questions/{id}", s.handleQuestionPage)

	r.Get("/exams", s.handleExams)
	r.Post("/exams", s.handleStartExam)
	r.Get("/exams/{examID}", s.handleExam)
	r.Get("/exams/{examID}/q/{pos}", s.handleExamQuestion)
	r.Post("/exams/{examID}/q/{pos}/answer", s.handleExamAnswer)
	r.Post("/exams/{examID}/q/{pos}/flag", s.handleExamFlag)
	r.Post("/exams/{examID}/submit", s.handleExamSubmit)
	r.Get("/exams/{examID}/result", s.handleExamResult)

	r.Get("/questions/{id}/report", s.handleReportForm)
	r.Post("/questions/{id}/report", s.handleReportSubmit)
	r.Get("/reports", s.handleReports)
	r.Post("/reports/{reportID}/resolve", s.handleResolveReport)

	r.Get("/review", s.handleReview)
	r.Get("/review/stats", s.handleReviewStats)
	r.Post("/review/q/{id}", s.handleReviewAnswer)
	r.Post("/review/q/{id}/rate", s.handleReviewRate)
	s.mountLabs(r)
}

package httpserver

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
	"github.com/kcnaprep/kcnaprep/internal/srs"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

// The web layer's view of the services. Handlers call these interfaces only, never the store;
// internal/app wires the real services in, tests can wire anything that fits.

// Trainer is practice, mock exams, review and readiness (trainer.Service).
type Trainer interface {
	Now() time.Time

	// Question is a bank question, or a class's own question that userID may see.
	Question(ctx context.Context, userID int64, id string) (*catalog.Question, error)
	NextPractice(ctx context.Context, userID int64, f quiz.Filter, skip string) (*catalog.Question, error)
	AnswerPractice(ctx context.Context, userID int64, questionID string, picked []int, token, source string) (trainer.PracticeFeedback, error)
	Readiness(ctx context.Context, userID int64) (quiz.Readiness, error)

	StartExam(ctx context.Context, userID int64) (domain.Exam, error)
	Exam(ctx context.Context, userID, examID int64) (trainer.ExamState, error)
	SaveAnswer(ctx context.Context, userID, examID int64, position int, picked []int) error
	Flag(ctx context.Context, userID, examID int64, position int, flagged bool) error
	Submit(ctx context.Context, userID, examID int64, auto bool) (domain.Exam, error)
	Result(ctx context.Context, userID, examID int64) (trainer.Result, error)
	History(ctx context.Context, userID int64) ([]domain.Exam, error)
	OpenExam(ctx context.Context, userID int64) (domain.Exam, error)

	ReviewSummary(ctx context.Context, userID int64) (trainer.ReviewSummary, error)
	ReviewStats(ctx context.Context, userID int64) (trainer.ReviewStats, error)
	NextReview(ctx context.Context, userID int64) (trainer.DueReview, error)
	Card(ctx context.Context, userID int64, questionID string) (trainer.DueReview, error)
	RatingOptions(c domain.Card) ([4]srs.Outcome, error)
	Rate(ctx context.Context, userID int64, questionID string, r srs.Rating, prevReps int) (srs.Outcome, error)
}

// Study is lesson progress, search and question reports (study.Service).
type Study interface {
	SetLessonComplete(ctx context.Context, userID int64, lessonID string, done bool) error
	CompletedLessons(ctx context.Context, userID int64) (map[string]time.Time, error)
	LessonCompletedAt(ctx context.Context, userID int64, lessonID string) (time.Time, bool, error)
	SearchLessons(ctx context.Context, query string, limit int) ([]domain.SearchHit, error)
	AddReport(ctx context.Context, userID int64, questionID, kind, message string) error
	Reports(ctx context.Context, viewer *domain.User, includeResolved bool) ([]domain.Report, error)
	ResolveReport(ctx context.Context, viewer *domain.User, id int64) error
}

// Accounts signs users in and finds the user of a session (auth.Service).
type Accounts interface {
	// Login returns the user and the session generation the new session records.
	Login(ctx context.Context, username, password string) (*domain.User, int64, error)
	// SessionUser returns the user of a session that recorded gen, or ENOTFOUND when the
	// session is void (user removed or disabled, password changed).
	SessionUser(ctx context.Context, id, gen int64) (*domain.User, error)
}

// WithTrainer sets the trainer service (required).
func WithTrainer(t Trainer) Option { return func(s *Server) { s.trainer = t } }

// WithStudy sets the study service (required).
func WithStudy(st Study) Option { return func(s *Server) { s.study = st } }

// WithReadinessCheck adds a check /readyz runs, e.g. a database ping.
func WithReadinessCheck(check func(context.Context) error) Option {
	return func(s *Server) { s.readyCheck = check }
}

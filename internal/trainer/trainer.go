// Package trainer is the exam trainer's service: practice, mock exams, the review queue and
// readiness. It joins the catalog (questions), the store (what the learner did) and the pure
// logic of internal/quiz and internal/srs. Handlers call it; it never renders anything.
package trainer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
	"github.com/kcnaprep/kcnaprep/internal/srs"
)

// Service is the exam trainer.
type Service struct {
	cat    *catalog.Catalog
	db     Store
	srs    *srs.Scheduler
	logger *slog.Logger
	sweep  time.Duration
	extra  Outside // a class's own questions; nil: the bank only

	rngMu sync.Mutex
	rng   *rand.Rand
}

// Option configures a Service.
type Option func(*Service)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// WithScheduler sets the spaced-repetition scheduler (default: FSRS-6 defaults).
func WithScheduler(sch *srs.Scheduler) Option { return func(s *Service) { s.srs = sch } }

// WithOutside lets practice, exams and review use questions from outside the bank (a class's
// own questions), each for the learners allowed to see it.
func WithOutside(o Outside) Option { return func(s *Service) { s.extra = o } }

// WithSeed makes the service's random choices reproducible (tests).
func WithSeed(a, b uint64) Option { return func(s *Service) { s.rng = rand.New(rand.NewPCG(a, b)) } }

// WithSweepInterval sets how often Run submits exams past their deadline (default 10s).
func WithSweepInterval(d time.Duration) Option { return func(s *Service) { s.sweep = d } }

// New returns a Service.
func New(cat *catalog.Catalog, db Store, opts ...Option) *Service {
	s := &Service{cat: cat, db: db, srs: srs.New(), logger: slog.Default(), sweep: 10 * time.Second,
		rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x6b636e61))}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Catalog is the content the service works on.
func (s *Service) Catalog() *catalog.Catalog { return s.cat }

// Now is the time by the store's clock, which judges exam deadlines.
func (s *Service) Now() time.Time { return s.db.Now() }

// newRand returns a generator seeded from the shared one, for one request's choices.
func (s *Service) newRand() *rand.Rand {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return rand.New(rand.NewPCG(s.rng.Uint64(), s.rng.Uint64()))
}

// history loads what the user did with each question.
func (s *Service) history(ctx context.Context, userID int64) (quiz.History, error) {
	stats, err := s.db.QuestionStats(ctx, userID)
	if err != nil {
		return nil, err
	}
	h := make(quiz.History, len(stats))
	for _, st := range stats {
		h[st.QuestionID] = quiz.Seen{Count: st.Count, Correct: st.Correct, Last: st.LastAt, LastOK: st.LastOK}
	}
	return h, nil
}

// Question returns a question of the bank, or one from outside it (a class's own) that
// userID may see; anything else is ENOTFOUND.
func (s *Service) Question(ctx context.Context, userID int64, id string) (*catalog.Question, error) {
	qs, err := s.questions(ctx, userID, []string{id})
	if err != nil {
		return nil, err
	}
	q := qs[id]
	if q == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no question %q.", id)
	}
	return q, nil
}

// questions resolves ids for userID in one go: bank questions from the catalog, the others
// (a class's own) in one call to the outside source. An id missing from the map is not
// userID's to see, or no longer exists.
func (s *Service) questions(ctx context.Context, userID int64, ids []string) (map[string]*catalog.Question, error) {
	out := make(map[string]*catalog.Question, len(ids))
	var rest []string
	for _, id := range ids {
		if q := s.cat.Question(id); q != nil {
			out[id] = q
		} else if strings.HasPrefix(id, domain.ClassQuestionPrefix) {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 || s.extra == nil {
		return out, nil
	}
	more, err := s.extra.QuestionsFor(ctx, userID, rest)
	if err != nil {
		return nil, fmt.Errorf("questions outside the bank: %w", err)
	}
	for id, q := range more {
		out[id] = q
	}
	return out, nil
}

// validatePicked checks a selection against the question: indices in range, no duplicates,
// at most one for a single-answer question and no more than the number to pick otherwise.
func validatePicked(q *catalog.Question, picked []int) ([]int, error) {
	out := slices.Clone(picked)
	slices.Sort(out)
	out = slices.Compact(out)
	for _, p := range out {
		if p < 0 || p >= len(q.Choices) {
			return nil, domain.Errorf(domain.EINVALID, "Choice %d does not exist.", p+1)
		}
	}
	if len(out) > q.NumCorrect() {
		if q.Type == catalog.Single {
			return nil, domain.Errorf(domain.EINVALID, "Pick one answer.")
		}
		return nil, domain.Errorf(domain.EINVALID, "Pick %d answers, not %d.", q.NumCorrect(), len(out))
	}
	return out, nil
}

// PracticeFeedback is what the learner sees after answering a practice question.
type PracticeFeedback struct {
	Question *catalog.Question
	Picked   []int
	Correct  bool
}

// NextPractice picks the next practice question for the filter.
func (s *Service) NextPractice(ctx context.Context, userID int64, f quiz.Filter, skip string) (*catalog.Question, error) {
	h, err := s.history(ctx, userID)
	if err != nil {
		return nil, err
	}
	q, err := quiz.NextPractice(s.cat, f, h, skip, s.newRand())
	if errors.Is(err, quiz.ErrNoQuestions) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No question matches this choice. Widen the filter.")
	}
	return q, err
}

// AnswerPractice checks and records a practice answer (source "practice" or "review"). A
// resubmitted form (same token) is recorded once. A wrong answer queues the question for review.
func (s *Service) AnswerPractice(ctx context.Context, userID int64, questionID string, picked []int, token, source string) (PracticeFeedback, error) {
	q, err := s.Question(ctx, userID, questionID)
	if err != nil {
		return PracticeFeedback{}, err
	}
	if len(picked) == 0 {
		return PracticeFeedback{}, domain.Errorf(domain.EINVALID, "Choose an answer first.")
	}
	picked, err = validatePicked(q, picked)
	if err != nil {
		return PracticeFeedback{}, err
	}
	fb := PracticeFeedback{Question: q, Picked: picked, Correct: q.IsCorrect(picked)}
	_, err = s.db.RecordAnswer(ctx, userID, domain.AnswerRecord{QuestionID: q.ID, Picked: picked, Correct: fb.Correct, Source: source, Token: token})
	return fb, err
}

// seedFor derives a stable seed from values, so an estimate does not change on reload.
func seedFor(parts ...any) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return h.Sum64()
}

// Readiness estimates the learner's chance to pass now from their answers of the last 60
// days (at most 600, newest first). Only bank questions count: a class's own questions are
// not drawn to the curriculum's weights.
func (s *Service) Readiness(ctx context.Context, userID int64) (quiz.Readiness, error) {
	rows, err := s.db.RecentAnswers(ctx, userID, s.db.Now().AddDate(0, 0, -60), 600)
	if err != nil {
		return quiz.Readiness{}, err
	}
	outs := make([]quiz.Outcome, 0, len(rows))
	for _, r := range rows {
		if q := s.cat.Question(r.QuestionID); q != nil {
			outs = append(outs, quiz.Outcome{Question: q, Correct: r.Correct})
		}
	}
	if len(outs) < quiz.MinAnswersForReadiness {
		// Too little evidence to show an estimate: skip the simulation (thousands of simulated
		// exams on every dashboard load of a new learner).
		return quiz.Readiness{Answers: len(outs), Confidence: "none"}, nil
	}
	e := s.cat.Curriculum.Exam
	var last int64
	if len(rows) > 0 {
		last = rows[0].AnsweredAt.UnixMilli()
	}
	rng := rand.New(rand.NewPCG(seedFor(userID, len(rows), last), 1))
	return quiz.Estimate(s.cat, outs, e.Questions.Value, e.MaxScore, e.PassScore.Value, rng), nil
}

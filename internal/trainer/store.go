package trainer

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Store is what the trainer keeps in the database (internal/store implements it). Every
// method that takes a userID touches only that user's rows.
type Store interface {
	// Now is the store's clock: exam deadlines and review due dates are judged by it.
	Now() time.Time

	RecordAnswer(ctx context.Context, userID int64, a domain.AnswerRecord) (bool, error)
	QuestionStats(ctx context.Context, userID int64) ([]domain.QuestionStat, error)
	RecentAnswers(ctx context.Context, userID int64, since time.Time, limit int) ([]domain.Answer, error)

	CreateExam(ctx context.Context, userID int64, ne domain.NewExam) (domain.Exam, error)
	Exam(ctx context.Context, userID, examID int64) (domain.Exam, error)
	ExamQuestions(ctx context.Context, userID, examID int64) ([]domain.ExamQuestion, error)
	ExamQuestionID(ctx context.Context, userID, examID int64, position int) (string, error)
	SaveExamAnswer(ctx context.Context, userID, examID int64, position int, picked []int) error
	SetExamFlag(ctx context.Context, userID, examID int64, position int, flagged bool) error
	SubmitExam(ctx context.Context, userID, examID int64, s domain.ExamSubmission) (bool, error)
	OpenExam(ctx context.Context, userID int64) (domain.Exam, error)
	ExpiredExams(ctx context.Context, limit int) ([]domain.Exam, error)
	ExamHistory(ctx context.Context, userID int64) ([]domain.Exam, error)

	DueCards(ctx context.Context, userID int64, limit int) ([]domain.Card, error)
	ReviewCounts(ctx context.Context, userID int64, until time.Time) (dueNow, dueToday, total int, err error)
	Card(ctx context.Context, userID int64, questionID string) (domain.Card, error)
	SaveReview(ctx context.Context, userID int64, u domain.ReviewUpdate) (bool, error)
	// ReviewStats reads the cards due before horizon, the cards by state and the ratings
	// given since since.
	ReviewStats(ctx context.Context, userID int64, horizon, since time.Time) (domain.ReviewStatsRow, error)
}

// Outside resolves questions that live outside the bank: a class's own questions ("cq-N",
// classroom.Service implements it). It returns, by id, those of ids that userID may see
// (questions of a class they belong to); an id it does not return is not theirs, or gone.
type Outside interface {
	QuestionsFor(ctx context.Context, userID int64, ids []string) (map[string]*catalog.Question, error)
}

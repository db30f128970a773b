package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

type examRow struct {
	ID            int64         `db:"id"`
	UserID        int64         `db:"user_id"`
	StartedAt     int64         `db:"started_at"`
	DeadlineAt    int64         `db:"deadline_at"`
	SubmittedAt   sql.NullInt64 `db:"submitted_at"`
	AutoSubmitted bool          `db:"auto_submitted"`
	Minutes       int           `db:"minutes"`
	PassScore     int           `db:"pass_score"`
	MaxScore      int           `db:"max_score"`
	Score         sql.NullInt64 `db:"score"`
	Correct       sql.NullInt64 `db:"correct"`
	Total         int           `db:"total"`
	AssignmentID  sql.NullInt64 `db:"assignment_id"`
	ReviewAt      sql.NullInt64 `db:"review_at"`
}

const examColumns = `id, user_id, started_at, deadline_at, submitted_at, auto_submitted, minutes, pass_score, max_score, score, correct, total, assignment_id,
	(SELECT CASE a.review WHEN 'after_due' THEN a.due_at WHEN 'never' THEN ` + reviewNeverMillis + ` END
	 FROM class_assignments a WHERE a.id = exams.assignment_id) AS review_at`

// reviewNeverMillis is the review time of an exam whose answers are never shown: 9999-12-31.
const reviewNeverMillis = "253402300799000"

func (r examRow) exam() domain.Exam {
	e := domain.Exam{ID: r.ID, UserID: r.UserID, StartedAt: fromMillis(r.StartedAt), Deadline: fromMillis(r.DeadlineAt),
		AutoSubmitted: r.AutoSubmitted, Minutes: r.Minutes, PassScore: r.PassScore, MaxScore: r.MaxScore,
		Score: int(r.Score.Int64), Correct: int(r.Correct.Int64), Total: r.Total, AssignmentID: r.AssignmentID.Int64}
	if r.ReviewAt.Valid {
		e.ReviewAt = fromMillis(r.ReviewAt.Int64)
	}
	if r.SubmittedAt.Valid {
		e.SubmittedAt = fromMillis(r.SubmittedAt.Int64)
	}
	return e
}

// CreateExam stores a new exam starting now, or returns domain.ErrExamInProgress when the
// user has one open (index exams_one_open holds at most one per user).
func (db *DB) CreateExam(ctx context.Context, userID int64, ne domain.NewExam) (domain.Exam, error) {
	now := db.now()
	var id int64
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO exams (user_id, started_at, deadline_at, minutes, pass_score, max_score, total)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, millis(now), millis(now.Add(time.Duration(ne.Minutes)*time.Minute)),
			ne.Minutes, ne.PassScore, ne.MaxScore, len(ne.Questions))
		if isUniqueViolation(err) {
			return domain.ErrExamInProgress
		}
		if err != nil {
			return fmt.Errorf("create exam: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("create exam: %w", err)
		}
		stmt, err := tx.PreparexContext(ctx, `INSERT INTO exam_questions (exam_id, position, question_id, choice_order) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("create exam: %w", err)
		}
		defer stmt.Close()
		for i, q := range ne.Questions {
			if _, err := stmt.ExecContext(ctx, id, i+1, q.QuestionID, joinInts(q.ChoiceOrder)); err != nil {
				return fmt.Errorf("create exam question %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return domain.Exam{}, err
	}
	return db.Exam(ctx, userID, id)
}

// domain.Exam returns one of the user's exams; another user's exam is ENOTFOUND.
func (db *DB) Exam(ctx context.Context, userID, examID int64) (domain.Exam, error) {
	var r examRow
	err := db.get(ctx, &r, `SELECT `+examColumns+` FROM exams WHERE id = ? AND user_id = ?`, examID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Exam{}, domain.Errorf(domain.ENOTFOUND, "There is no such exam.")
	}
	if err != nil {
		return domain.Exam{}, fmt.Errorf("exam %d: %w", examID, err)
	}
	return r.exam(), nil
}

// ExamQuestionID returns the question at one position of the user's exam: the one read an
// answer save needs (it validates the choices against that question), instead of all of them.
func (db *DB) ExamQuestionID(ctx context.Context, userID, examID int64, position int) (string, error) {
	var id string
	err := db.get(ctx, &id, `SELECT q.question_id FROM exam_questions q JOIN exams e ON e.id = q.exam_id
		WHERE q.exam_id = ? AND q.position = ? AND e.user_id = ?`, examID, position, userID)
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := db.get(ctx, &n, `SELECT count(*) FROM exams WHERE id = ? AND user_id = ?`, examID, userID); err != nil {
			return "", fmt.Errorf("exam %d: %w", examID, err)
		}
		if n == 0 {
			return "", domain.Errorf(domain.ENOTFOUND, "There is no such exam.")
		}
		return "", domain.Errorf(domain.ENOTFOUND, "The exam has no question %d.", position)
	}
	if err != nil {
		return "", fmt.Errorf("exam %d question %d: %w", examID, position, err)
	}
	return id, nil
}

// ExamQuestions returns the exam's questions in order, with the answers saved so far.
func (db *DB) ExamQuestions(ctx context.Context, userID, examID int64) ([]domain.ExamQuestion, error) {
	// Every exam page and every saved answer reads these 60 rows: scanned by hand, not by
	// sqlx's reflection, which was most of this read's cost under load.
	st, err := db.readStmt(ctx, `SELECT q.position, q.question_id, q.choice_order, q.picked, q.flagged
		FROM exam_questions q JOIN exams e ON e.id = q.exam_id
		WHERE q.exam_id = ? AND e.user_id = ? ORDER BY q.position`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, examID, userID)
	if err != nil {
		return nil, fmt.Errorf("exam %d questions: %w", examID, err)
	}
	defer rows.Close()
	var out []domain.ExamQuestion
	for rows.Next() {
		var q domain.ExamQuestion
		var order string
		var picked sql.NullString
		if err := rows.Scan(&q.Position, &q.QuestionID, &order, &picked, &q.Flagged); err != nil {
			return nil, fmt.Errorf("exam %d questions: %w", examID, err)
		}
		q.ChoiceOrder = splitInts(order)
		q.Answered = picked.Valid && picked.String != ""
		if picked.Valid {
			q.Picked = splitInts(picked.String)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("exam %d questions: %w", examID, err)
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no such exam.")
	}
	return out, nil
}

// SaveExamAnswer saves the learner's choice for one question, in one transaction that also
// checks the exam is the user's, not submitted and not past its deadline (the server's clock
// decides, never the page's). Saving the same answer twice is harmless: the row is replaced.
// An empty picked clears the answer.
func (db *DB) SaveExamAnswer(ctx context.Context, userID, examID int64, position int, picked []int) error {
	now := db.now()
	return db.updateOpenExamQuestion(ctx, userID, examID, position, now, "save answer to",
		`picked = ?, answered_at = ?`, joinInts(picked), millis(now))
}

// SetExamFlag marks a question for review (or clears the mark).
func (db *DB) SetExamFlag(ctx context.Context, userID, examID int64, position int, flagged bool) error {
	return db.updateOpenExamQuestion(ctx, userID, examID, position, db.now(), "flag", `flagged = ?`, flagged)
}

// updateOpenExamQuestion sets columns of one question of an exam that is the user's and still
// open at now. what names the change in error messages. The check and the change are one
// UPDATE (SQLite runs a statement atomically): the write lock is held for a single statement,
// not a BEGIN, a SELECT, an UPDATE and a COMMIT, which matters when a class saves at once.
// Only when nothing changed does a read tell why (no such exam, exam over, no such question).
func (db *DB) updateOpenExamQuestion(ctx context.Context, userID, examID int64, position int, now time.Time, what, set string, args ...any) error {
	res, err := db.writeExec(ctx, `UPDATE exam_questions SET `+set+`
		WHERE exam_id = ? AND position = ? AND EXISTS (
			SELECT 1 FROM exams WHERE id = ? AND user_id = ? AND submitted_at IS NULL AND deadline_at >= ?)`,
		append(args, examID, position, examID, userID, millis(now))...)
	if err != nil {
		return fmt.Errorf("%s exam %d question %d: %w", what, examID, position, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := openExamForWrite(ctx, tx, userID, examID, now); err != nil {
			return err
		}
		return domain.Errorf(domain.ENOTFOUND, "The exam has no question %d.", position)
	})
}

func openExamForWrite(ctx context.Context, tx *sqlx.Tx, userID, examID int64, now time.Time) error {
	var r struct {
		Deadline  int64         `db:"deadline_at"`
		Submitted sql.NullInt64 `db:"submitted_at"`
	}
	err := tx.GetContext(ctx, &r, `SELECT deadline_at, submitted_at FROM exams WHERE id = ? AND user_id = ?`, examID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "There is no such exam.")
	}
	if err != nil {
		return fmt.Errorf("exam %d: %w", examID, err)
	}
	if r.Submitted.Valid || millis(now) > r.Deadline {
		return domain.ErrExamOver
	}
	return nil
}

// SubmitExam records the result, unless the exam is already submitted (then it does nothing
// and returns false: submitting twice, or the deadline sweeper racing the learner, is safe).
func (db *DB) SubmitExam(ctx context.Context, userID, examID int64, s domain.ExamSubmission) (bool, error) {
	now := db.now()
	done := false
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE exams SET submitted_at = ?, auto_submitted = ?, score = ?, correct = ?
			WHERE id = ? AND user_id = ? AND submitted_at IS NULL`, millis(now), s.Auto, s.Score, s.Correct, examID, userID)
		if err != nil {
			return fmt.Errorf("submit exam %d: %w", examID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		for _, a := range s.Answers {
			a.ExamID = examID
			a.Source = domain.SourceExam
			if err := insertAnswer(ctx, tx, userID, a, now); err != nil {
				return err
			}
		}
		return nil
	})
	return done, err
}

// OpenExam returns the user's most recent exam still in progress, or ENOTFOUND.
func (db *DB) OpenExam(ctx context.Context, userID int64) (domain.Exam, error) {
	var r examRow
	err := db.get(ctx, &r, `SELECT `+examColumns+` FROM exams WHERE user_id = ? AND submitted_at IS NULL
		ORDER BY started_at DESC LIMIT 1`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Exam{}, domain.Errorf(domain.ENOTFOUND, "No exam in progress.")
	}
	if err != nil {
		return domain.Exam{}, fmt.Errorf("open exam of user %d: %w", userID, err)
	}
	return r.exam(), nil
}

// ExpiredExams lists exams past their deadline and not submitted, for the auto-submitter.
func (db *DB) ExpiredExams(ctx context.Context, limit int) ([]domain.Exam, error) {
	var rows []examRow
	err := db.sel(ctx, &rows, `SELECT `+examColumns+` FROM exams WHERE submitted_at IS NULL AND deadline_at < ?
		ORDER BY deadline_at LIMIT ?`, millis(db.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("expired exams: %w", err)
	}
	out := make([]domain.Exam, len(rows))
	for i, r := range rows {
		out[i] = r.exam()
	}
	return out, nil
}

// ExamHistory lists the user's submitted exams, oldest first.
func (db *DB) ExamHistory(ctx context.Context, userID int64) ([]domain.Exam, error) {
	var rows []examRow
	err := db.sel(ctx, &rows, `SELECT `+examColumns+` FROM exams WHERE user_id = ? AND submitted_at IS NOT NULL
		ORDER BY started_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("exam history of user %d: %w", userID, err)
	}
	out := make([]domain.Exam, len(rows))
	for i, r := range rows {
		out[i] = r.exam()
	}
	return out, nil
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func splitInts(s string) []int {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// ExamQuestionsAnyUser returns an exam's saved answers whoever owns it. Only operator tools
// (the exam load test's loss audit) use it; request handlers go through ExamQuestions.
func (db *DB) ExamQuestionsAnyUser(ctx context.Context, examID int64) ([]domain.ExamQuestion, error) {
	var userID int64
	if err := db.get(ctx, &userID, `SELECT user_id FROM exams WHERE id = ?`, examID); err != nil {
		return nil, fmt.Errorf("owner of exam %d: %w", examID, err)
	}
	return db.ExamQuestions(ctx, userID, examID)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// answerRow is a stored answer.
type answerRow struct {
	QuestionID string `db:"question_id"`
	Correct    bool   `db:"correct"`
	Source     string `db:"source"`
	At         int64  `db:"answered_at"`
}

// RecordAnswer stores a practice or review answer. A missed question joins the review queue,
// due now. With a token, the same form submitted twice is stored once (the second call
// returns false).
func (db *DB) RecordAnswer(ctx context.Context, userID int64, a domain.AnswerRecord) (bool, error) {
	now := db.now()
	stored := false
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		if a.Token != "" {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM answers WHERE user_id = ? AND client_token = ?`, userID, a.Token); err != nil {
				return fmt.Errorf("check answer token: %w", err)
			}
			if n > 0 {
				return nil
			}
		}
		stored = true
		return insertAnswer(ctx, tx, userID, a, now)
	})
	return stored, err
}

func insertAnswer(ctx context.Context, tx *sqlx.Tx, userID int64, a domain.AnswerRecord, now time.Time) error {
	var examID, token any
	if a.ExamID != 0 {
		examID = a.ExamID
	}
	if a.Token != "" {
		token = a.Token
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO answers (user_id, question_id, picked, correct, source, exam_id, client_token, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, userID, a.QuestionID, joinInts(a.Picked), a.Correct, a.Source, examID, token, millis(now))
	if err != nil {
		return fmt.Errorf("record answer to %s: %w", a.QuestionID, err)
	}
	if !a.Correct {
		// Missed: into the review queue, due now; a card already scheduled comes due now. A
		// review card shows the answer and its reasons, so a class exam whose instructor shows
		// them after the due time queues the card for then, and one that never shows them
		// queues none.
		_, err = tx.ExecContext(ctx, `INSERT INTO review_cards (user_id, question_id, due_at, created_at)
			SELECT ?, ?, max(?, coalesce((SELECT a.due_at FROM exams e JOIN class_assignments a ON a.id = e.assignment_id
			                              WHERE e.id = ? AND a.review = 'after_due'), 0)), ?
			WHERE NOT EXISTS (SELECT 1 FROM exams e JOIN class_assignments a ON a.id = e.assignment_id
			                  WHERE e.id = ? AND a.review = 'never')
			ON CONFLICT (user_id, question_id) DO UPDATE SET due_at = min(due_at, excluded.due_at)`,
			userID, a.QuestionID, millis(now), examID, millis(now), examID)
		if err != nil {
			return fmt.Errorf("queue %s for review: %w", a.QuestionID, err)
		}
	}
	return nil
}

// questionStatRow is one question's answer counts.
type questionStatRow struct {
	QuestionID string `db:"question_id"`
	Count      int    `db:"n"`
	Correct    int    `db:"ok"`
	Last       int64  `db:"last_at"`
	LastOK     bool   `db:"last_ok"`
}

// QuestionStats returns, per question the user has answered, counts and the last answer.
func (db *DB) QuestionStats(ctx context.Context, userID int64) ([]domain.QuestionStat, error) {
	var rows []questionStatRow
	err := db.sel(ctx, &rows, `
		SELECT question_id, count(*) AS n, sum(correct) AS ok, max(answered_at) AS last_at,
		       (SELECT a2.correct FROM answers a2 WHERE a2.user_id = a.user_id AND a2.question_id = a.question_id
		        ORDER BY a2.answered_at DESC, a2.id DESC LIMIT 1) AS last_ok
		FROM answers a WHERE user_id = ? GROUP BY question_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("question stats of user %d: %w", userID, err)
	}
	out := make([]domain.QuestionStat, len(rows))
	for i, r := range rows {
		out[i] = domain.QuestionStat{QuestionID: r.QuestionID, Count: r.Count, Correct: r.Correct, LastAt: fromMillis(r.Last), LastOK: r.LastOK}
	}
	return out, nil
}

// RecentAnswers returns the user's answers since a time, newest first, at most limit.
func (db *DB) RecentAnswers(ctx context.Context, userID int64, since time.Time, limit int) ([]domain.Answer, error) {
	var rows []answerRow
	err := db.sel(ctx, &rows, `SELECT question_id, correct, source, answered_at FROM answers
		WHERE user_id = ? AND answered_at >= ? ORDER BY answered_at DESC, id DESC LIMIT ?`, userID, millis(since), limit)
	if err != nil {
		return nil, fmt.Errorf("recent answers of user %d: %w", userID, err)
	}
	out := make([]domain.Answer, len(rows))
	for i, r := range rows {
		out[i] = domain.Answer{QuestionID: r.QuestionID, Correct: r.Correct, Source: r.Source, AnsweredAt: fromMillis(r.At)}
	}
	return out, nil
}

type cardRow struct {
	QuestionID string        `db:"question_id"`
	Stability  float64       `db:"stability"`
	Difficulty float64       `db:"difficulty"`
	Reps       int           `db:"reps"`
	Lapses     int           `db:"lapses"`
	LastReview sql.NullInt64 `db:"last_review"`
	DueAt      int64         `db:"due_at"`
}

func (r cardRow) card() domain.Card {
	c := domain.Card{QuestionID: r.QuestionID, Stability: r.Stability, Difficulty: r.Difficulty, Reps: r.Reps, Lapses: r.Lapses, Due: fromMillis(r.DueAt)}
	if r.LastReview.Valid {
		c.LastReview = fromMillis(r.LastReview.Int64)
	}
	return c
}

const cardColumns = `question_id, stability, difficulty, reps, lapses, last_review, due_at`

// DueCards returns cards due at or before now, most overdue first.
func (db *DB) DueCards(ctx context.Context, userID int64, limit int) ([]domain.Card, error) {
	var rows []cardRow
	err := db.sel(ctx, &rows, `SELECT `+cardColumns+` FROM review_cards WHERE user_id = ? AND due_at <= ?
		ORDER BY due_at LIMIT ?`, userID, millis(db.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("due cards of user %d: %w", userID, err)
	}
	out := make([]domain.Card, len(rows))
	for i, r := range rows {
		out[i] = r.card()
	}
	return out, nil
}

// ReviewCounts returns how many cards are due now, due by the end of the day (until), and in all.
func (db *DB) ReviewCounts(ctx context.Context, userID int64, until time.Time) (dueNow, dueToday, total int, err error) {
	var r struct {
		Now   sql.NullInt64 `db:"due_now"`
		Today sql.NullInt64 `db:"due_today"`
		Total int           `db:"total"`
	}
	err = db.get(ctx, &r, `SELECT sum(due_at <= ?) AS due_now, sum(due_at <= ?) AS due_today, count(*) AS total
		FROM review_cards WHERE user_id = ?`, millis(db.now()), millis(until), userID)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("review counts of user %d: %w", userID, err)
	}
	return int(r.Now.Int64), int(r.Today.Int64), r.Total, nil
}

// domain.Card returns one of the user's cards, or ENOTFOUND.
func (db *DB) Card(ctx context.Context, userID int64, questionID string) (domain.Card, error) {
	var r cardRow
	err := db.get(ctx, &r, `SELECT `+cardColumns+` FROM review_cards WHERE user_id = ? AND question_id = ?`, userID, questionID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Card{}, domain.Errorf(domain.ENOTFOUND, "That question is not in your review queue.")
	}
	if err != nil {
		return domain.Card{}, fmt.Errorf("card %s of user %d: %w", questionID, userID, err)
	}
	return r.card(), nil
}

// SaveReview stores a rated review. It applies only if the card still has PrevReps reps, so a
// rating submitted twice is applied once (the second call returns false).
func (db *DB) SaveReview(ctx context.Context, userID int64, u domain.ReviewUpdate) (bool, error) {
	applied := false
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE review_cards SET stability = ?, difficulty = ?, reps = ?, lapses = ?, last_review = ?, due_at = ?
			WHERE user_id = ? AND question_id = ? AND reps = ?`, u.Stability, u.Difficulty, u.Reps, u.Lapses,
			millis(u.ReviewedAt), millis(u.Due), userID, u.QuestionID, u.PrevReps)
		if err != nil {
			return fmt.Errorf("save review of %s: %w", u.QuestionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		applied = true
		_, err = tx.ExecContext(ctx, `INSERT INTO review_log (user_id, question_id, rating, stability, difficulty, interval, reviewed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, u.QuestionID, u.Rating, u.Stability, u.Difficulty, u.Interval, millis(u.ReviewedAt))
		if err != nil {
			return fmt.Errorf("log review of %s: %w", u.QuestionID, err)
		}
		return nil
	})
	return applied, err
}

// Now is the store's clock (tests set it with WithClock).
func (db *DB) Now() time.Time { return db.now() }

// ReviewStats reads the user's review statistics: cards due before horizon, cards by state,
// and ratings given since since.
func (db *DB) ReviewStats(ctx context.Context, userID int64, horizon, since time.Time) (domain.ReviewStatsRow, error) {
	var out domain.ReviewStatsRow
	var due []int64
	if err := db.sel(ctx, &due, `SELECT due_at FROM review_cards WHERE user_id = ? AND due_at < ? ORDER BY due_at`,
		userID, millis(horizon)); err != nil {
		return out, fmt.Errorf("due forecast of user %d: %w", userID, err)
	}
	for _, d := range due {
		out.Due = append(out.Due, fromMillis(d))
	}
	const matureMillis = 21 * 24 * 60 * 60 * 1000
	var states struct {
		New    sql.NullInt64 `db:"new"`
		Young  sql.NullInt64 `db:"young"`
		Mature sql.NullInt64 `db:"mature"`
	}
	if err := db.get(ctx, &states, `SELECT sum(last_review IS NULL) AS new,
		sum(last_review IS NOT NULL AND due_at - last_review < ?) AS young,
		sum(last_review IS NOT NULL AND due_at - last_review >= ?) AS mature
		FROM review_cards WHERE user_id = ?`, matureMillis, matureMillis, userID); err != nil {
		return out, fmt.Errorf("card states of user %d: %w", userID, err)
	}
	out.New, out.Young, out.Mature = int(states.New.Int64), int(states.Young.Int64), int(states.Mature.Int64)
	var ratings struct {
		Total int           `db:"total"`
		Again sql.NullInt64 `db:"again"`
	}
	if err := db.get(ctx, &ratings, `SELECT count(*) AS total, sum(rating = 1) AS again FROM review_log
		WHERE user_id = ? AND reviewed_at >= ?`, userID, millis(since)); err != nil {
		return out, fmt.Errorf("ratings of user %d: %w", userID, err)
	}
	out.Reviews, out.AgainCount = ratings.Total, int(ratings.Again.Int64)
	return out, nil
}

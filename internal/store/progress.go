package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SetLessonComplete marks a lesson complete (done) or not. It is idempotent: marking twice
// keeps the first completion time.
func (db *DB) SetLessonComplete(ctx context.Context, userID int64, lessonID string, done bool) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if done {
			_, err = tx.ExecContext(ctx, `INSERT INTO lesson_progress (user_id, lesson_id, completed_at)
				VALUES (?, ?, ?) ON CONFLICT (user_id, lesson_id) DO NOTHING`, userID, lessonID, millis(db.now()))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM lesson_progress WHERE user_id = ? AND lesson_id = ?`, userID, lessonID)
		}
		if err != nil {
			return fmt.Errorf("set lesson %s complete=%v for user %d: %w", lessonID, done, userID, err)
		}
		return nil
	})
}

// CompletedLessons returns the lessons the user completed, with when.
func (db *DB) CompletedLessons(ctx context.Context, userID int64) (map[string]time.Time, error) {
	var rows []struct {
		LessonID    string `db:"lesson_id"`
		CompletedAt int64  `db:"completed_at"`
	}
	if err := db.sel(ctx, &rows, `SELECT lesson_id, completed_at FROM lesson_progress WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("completed lessons of user %d: %w", userID, err)
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.LessonID] = fromMillis(r.CompletedAt)
	}
	return out, nil
}

// LessonCompletedAt returns when the user completed the lesson, and false if they have not.
func (db *DB) LessonCompletedAt(ctx context.Context, userID int64, lessonID string) (time.Time, bool, error) {
	var ms []int64
	if err := db.sel(ctx, &ms, `SELECT completed_at FROM lesson_progress WHERE user_id = ? AND lesson_id = ?`, userID, lessonID); err != nil {
		return time.Time{}, false, fmt.Errorf("lesson %s progress of user %d: %w", lessonID, userID, err)
	}
	if len(ms) == 0 {
		return time.Time{}, false, nil
	}
	return fromMillis(ms[0]), true, nil
}

package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// ClassItemScores returns the question marks of every submitted exam attempt that the item
// analysis of class classID reads: attempts by the class's students started since they joined
// it. classID "" reads every submitted attempt on the server. A question answered right scores
// 1, anything else (wrong, or left unanswered) 0, out of 1.
func (db *DB) ClassItemScores(ctx context.Context, classID string) ([]domain.ItemScore, error) {
	var rows []struct {
		ExamID     int64  `db:"exam_id"`
		QuestionID string `db:"question_id"`
		Mark       int    `db:"mark"`
	}
	q := `SELECT e.id AS exam_id, q.question_id, coalesce(a.correct, 0) AS mark
		FROM exams e JOIN exam_questions q ON q.exam_id = e.id
		LEFT JOIN answers a ON a.user_id = e.user_id AND a.question_id = q.question_id AND a.exam_id = e.id AND a.source = 'exam'
		WHERE e.submitted_at IS NOT NULL`
	var args []any
	if classID != "" {
		q += ` AND EXISTS (SELECT 1 FROM class_members m WHERE m.class_id = ? AND m.user_id = e.user_id
			AND m.role = 'student' AND e.started_at >= m.joined_at)`
		args = append(args, classID)
	}
	q += ` ORDER BY e.id, q.position`
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("item scores of class %q: %w", classID, err)
	}
	out := make([]domain.ItemScore, len(rows))
	for i, r := range rows {
		out[i] = domain.ItemScore{AttemptID: r.ExamID, QuestionID: r.QuestionID, Mark: float64(r.Mark), MaxMark: 1}
	}
	return out, nil
}

// OpenReportsOn returns the open learner reports of the given questions, newest first: those
// by students of class classID (an instructor sees their own students' reports, never another
// class's), or every one when classID is "".
func (db *DB) OpenReportsOn(ctx context.Context, classID string, questionIDs []string) ([]domain.Report, error) {
	if len(questionIDs) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID         int64  `db:"id"`
		QuestionID string `db:"question_id"`
		Kind       string `db:"kind"`
		Message    string `db:"message"`
		Reporter   string `db:"display_name"`
		CreatedAt  int64  `db:"created_at"`
	}
	// json_each takes the whole list as one parameter, however long it is.
	ids, err := json.Marshal(questionIDs)
	if err != nil {
		return nil, fmt.Errorf("encode question ids: %w", err)
	}
	err = db.sel(ctx, &rows, `SELECT r.id, r.question_id, r.kind, r.message, u.display_name, r.created_at
		FROM question_reports r JOIN users u ON u.id = r.user_id
		WHERE r.resolved_at IS NULL AND r.question_id IN (SELECT value FROM json_each(?))
		  AND (? = '' OR r.user_id IN (SELECT m.user_id FROM class_members m WHERE m.class_id = ? AND m.role = 'student'))
		ORDER BY r.created_at DESC, r.id DESC`, string(ids), classID, classID)
	if err != nil {
		return nil, fmt.Errorf("reports of %d questions: %w", len(questionIDs), err)
	}
	out := make([]domain.Report, len(rows))
	for i, r := range rows {
		out[i] = domain.Report{ID: r.ID, QuestionID: r.QuestionID, Kind: r.Kind, Message: r.Message, Reporter: r.Reporter, CreatedAt: fromMillis(r.CreatedAt)}
	}
	return out, nil
}

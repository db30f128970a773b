package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// studentsOfInstructor selects the ids of the students in the classes of the instructor given
// as its one parameter.
const studentsOfInstructor = `SELECT s.user_id FROM class_members s JOIN class_members t ON t.class_id = s.class_id
	WHERE t.user_id = ? AND t.role = 'instructor' AND s.role = 'student'`

// AddReport stores a report (the study service checks kind and message). The same open report
// (learner, question, kind) is stored once; a second one updates its message.
func (db *DB) AddReport(ctx context.Context, userID int64, questionID, kind, message string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO question_reports (user_id, question_id, kind, message, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, question_id, kind) WHERE resolved_at IS NULL DO UPDATE SET message = excluded.message`,
			userID, questionID, kind, message, millis(db.now()))
		if err != nil {
			return fmt.Errorf("report question %s: %w", questionID, err)
		}
		return nil
	})
}

// Reports lists reports, open ones first, newest first. f.InstructorID > 0 keeps the reports
// of students in the classes that user teaches (an instructor sees their own students' names,
// never another class's); 0 lists every report (admins). Who may ask is the study service's call.
func (db *DB) Reports(ctx context.Context, f domain.ReportFilter) ([]domain.Report, error) {
	var rows []struct {
		ID         int64         `db:"id"`
		QuestionID string        `db:"question_id"`
		Kind       string        `db:"kind"`
		Message    string        `db:"message"`
		Reporter   string        `db:"display_name"`
		CreatedAt  int64         `db:"created_at"`
		ResolvedAt sql.NullInt64 `db:"resolved_at"`
	}
	q := `SELECT r.id, r.question_id, r.kind, r.message, u.display_name, r.created_at, r.resolved_at
		FROM question_reports r JOIN users u ON u.id = r.user_id
		WHERE (? OR r.resolved_at IS NULL)
		  AND (? = 0 OR r.user_id IN (` + studentsOfInstructor + `))
		ORDER BY r.resolved_at IS NOT NULL, r.created_at DESC`
	if err := db.sel(ctx, &rows, q, f.IncludeResolved, f.InstructorID, f.InstructorID); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	out := make([]domain.Report, len(rows))
	for i, r := range rows {
		out[i] = domain.Report{ID: r.ID, QuestionID: r.QuestionID, Kind: r.Kind, Message: r.Message, Reporter: r.Reporter, CreatedAt: fromMillis(r.CreatedAt)}
		if r.ResolvedAt.Valid {
			out[i].ResolvedAt = fromMillis(r.ResolvedAt.Int64)
		}
	}
	return out, nil
}

// ResolveReport closes an open report on behalf of resolverID. scopeInstructor > 0 closes it
// only if its reporter is a student of a class that user teaches (else ENOTFOUND, as for a
// report that does not exist); who may ask at all is the study service's call.
func (db *DB) ResolveReport(ctx context.Context, resolverID, id, scopeInstructor int64) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE question_reports SET resolved_at = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL
			AND (? = 0 OR user_id IN (`+studentsOfInstructor+`))`,
			millis(db.now()), resolverID, id, scopeInstructor, scopeInstructor)
		if err != nil {
			return fmt.Errorf("resolve report %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No open report %d.", id)
		}
		return nil
	})
}

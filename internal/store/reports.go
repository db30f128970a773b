package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// AddReport stores a report. The same open report (learner, question, kind) is stored once;
// a second one updates its message.
func (db *DB) AddReport(ctx context.Context, userID int64, questionID, kind, message string) error {
	valid := false
	for _, k := range domain.ReportKinds {
		valid = valid || k.Value == kind
	}
	if !valid {
		return domain.Errorf(domain.EINVALID, "Choose what kind of problem it is.")
	}
	if len(message) > 4000 {
		return domain.Errorf(domain.EINVALID, "Please keep the description under 4000 characters.")
	}
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

// Reports lists reports, open ones first, newest first. Only instructors and admins may list
// them: everyone else gets EFORBIDDEN.
func (db *DB) Reports(ctx context.Context, viewer *domain.User, includeResolved bool) ([]domain.Report, error) {
	if viewer == nil || (viewer.Role != domain.RoleInstructor && viewer.Role != domain.RoleAdmin) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only instructors can see question reports.")
	}
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
		FROM question_reports r JOIN users u ON u.id = r.user_id`
	if !includeResolved {
		q += ` WHERE r.resolved_at IS NULL`
	}
	q += ` ORDER BY r.resolved_at IS NOT NULL, r.created_at DESC`
	if err := db.sel(ctx, &rows, q); err != nil {
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

// ResolveReport closes a report (instructors and admins only).
func (db *DB) ResolveReport(ctx context.Context, viewer *domain.User, id int64) error {
	if viewer == nil || (viewer.Role != domain.RoleInstructor && viewer.Role != domain.RoleAdmin) {
		return domain.Errorf(domain.EFORBIDDEN, "Only instructors can resolve question reports.")
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE question_reports SET resolved_at = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL`,
			millis(db.now()), viewer.ID, id)
		if err != nil {
			return fmt.Errorf("resolve report %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No open report %d.", id)
		}
		return nil
	})
}

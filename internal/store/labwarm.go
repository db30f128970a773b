package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

type labWarmRow struct {
	ID        int64         `db:"id"`
	ClassID   string        `db:"class_id"`
	Count     int           `db:"count"`
	ReadyAt   int64         `db:"ready_at"`
	State     string        `db:"state"`
	CreatedBy sql.NullInt64 `db:"created_by"`
	CreatedAt int64         `db:"created_at"`
	StartedAt sql.NullInt64 `db:"started_at"`
	DoneAt    sql.NullInt64 `db:"done_at"`
	Error     string        `db:"error"`
}

const labWarmCols = `id, class_id, count, ready_at, state, created_by, created_at, started_at, done_at, error`

func (r labWarmRow) schedule() *domain.LabWarmSchedule {
	w := &domain.LabWarmSchedule{ID: r.ID, ClassID: r.ClassID, Count: r.Count, ReadyAt: fromMillis(r.ReadyAt),
		State: domain.LabWarmState(r.State), CreatedBy: r.CreatedBy.Int64, CreatedAt: fromMillis(r.CreatedAt), Error: r.Error}
	if r.StartedAt.Valid {
		w.StartedAt = fromMillis(r.StartedAt.Int64)
	}
	if r.DoneAt.Valid {
		w.DoneAt = fromMillis(r.DoneAt.Int64)
	}
	return w
}

// ScheduleLabWarm records a pre-warm, or updates the one the class already has for that time
// (a double submit): one statement, so two submits can never make two schedules. A schedule
// that had ended (done, missed, failed, cancelled) is scheduled again. It sets w.ID and w.State.
func (db *DB) ScheduleLabWarm(ctx context.Context, w *domain.LabWarmSchedule) error {
	now := millis(db.now())
	var by sql.NullInt64
	if w.CreatedBy != 0 {
		by = sql.NullInt64{Int64: w.CreatedBy, Valid: true}
	}
	var r labWarmRow
	err := db.write.GetContext(ctx, &r, `INSERT INTO lab_warm_schedules (class_id, count, ready_at, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (class_id, ready_at) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at,
			state = CASE WHEN state IN ('scheduled', 'warming') THEN state ELSE 'scheduled' END,
			error = CASE WHEN state IN ('scheduled', 'warming') THEN error ELSE '' END,
			done_at = CASE WHEN state IN ('scheduled', 'warming') THEN done_at END
		RETURNING `+labWarmCols, w.ClassID, w.Count, millis(w.ReadyAt), by, now, now)
	if err != nil {
		return fmt.Errorf("schedule lab pre-warm for %q at %s: %w", w.ClassID, w.ReadyAt, err)
	}
	*w = *r.schedule()
	return nil
}

// LabWarmSchedules returns the class's schedules ("" for the command line's) that are pending
// or ended after since, soonest first.
func (db *DB) LabWarmSchedules(ctx context.Context, classID string, since time.Time) ([]*domain.LabWarmSchedule, error) {
	return db.labWarm(ctx, `WHERE class_id = ? AND (state IN ('scheduled', 'warming') OR ready_at >= ?) ORDER BY ready_at, id`, classID, millis(since))
}

// PendingLabWarms returns every schedule still to run or running, soonest first.
func (db *DB) PendingLabWarms(ctx context.Context) ([]*domain.LabWarmSchedule, error) {
	return db.labWarm(ctx, `WHERE state IN ('scheduled', 'warming') ORDER BY ready_at, id`)
}

func (db *DB) labWarm(ctx context.Context, where string, args ...any) ([]*domain.LabWarmSchedule, error) {
	var rows []labWarmRow
	if err := db.sel(ctx, &rows, `SELECT `+labWarmCols+` FROM lab_warm_schedules `+where, args...); err != nil {
		return nil, fmt.Errorf("lab pre-warm schedules: %w", err)
	}
	out := make([]*domain.LabWarmSchedule, len(rows))
	for i, r := range rows {
		out[i] = r.schedule()
	}
	return out, nil
}

// SetLabWarmState moves a schedule from one of the states from to state to (warming records
// when it started; an ended state when it ended). ECONFLICT when it is in none of them (e.g.
// cancelled meanwhile).
func (db *DB) SetLabWarmState(ctx context.Context, id int64, from []domain.LabWarmState, to domain.LabWarmState, errMsg string) error {
	now := millis(db.now())
	args := []any{string(to), errMsg, now}
	set := `state = ?, error = ?, updated_at = ?`
	switch to {
	case domain.LabWarmWarming:
		set += `, started_at = COALESCE(started_at, ?)`
		args = append(args, now)
	case domain.LabWarmScheduled:
	default:
		set += `, done_at = ?`
		args = append(args, now)
	}
	args = append(args, id)
	marks := make([]string, len(from))
	for i, f := range from {
		marks[i] = "?"
		args = append(args, string(f))
	}
	res, err := db.write.ExecContext(ctx, `UPDATE lab_warm_schedules SET `+set+` WHERE id = ? AND state IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("lab pre-warm %d -> %s: %w", id, to, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ECONFLICT, "This pre-warm is no longer %s.", from[0])
	}
	return nil
}

// CancelLabWarm cancels the class's pending schedule id. ENOTFOUND when the class has no such
// schedule; ECONFLICT when it has ended already.
func (db *DB) CancelLabWarm(ctx context.Context, classID string, id int64) error {
	now := millis(db.now())
	var state string
	err := db.write.GetContext(ctx, &state, `UPDATE lab_warm_schedules SET state = CASE WHEN state IN ('scheduled', 'warming')
		THEN 'cancelled' ELSE state END, done_at = CASE WHEN state IN ('scheduled', 'warming') THEN ? ELSE done_at END
		WHERE id = ? AND class_id = ? RETURNING state`, now, id, classID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "There is no such pre-warm.")
	}
	if err != nil {
		return fmt.Errorf("cancel lab pre-warm %d: %w", id, err)
	}
	if state != string(domain.LabWarmCancelled) {
		return domain.Errorf(domain.ECONFLICT, "This pre-warm has ended already (%s).", state)
	}
	return nil
}

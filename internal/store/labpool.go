package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

type labPoolRow struct {
	ID        string        `db:"id"`
	Backend   string        `db:"backend"`
	Cluster   string        `db:"cluster"`
	Namespace string        `db:"namespace"`
	State     string        `db:"state"`
	CreatedAt int64         `db:"created_at"`
	UpdatedAt int64         `db:"updated_at"`
	ReadyAt   sql.NullInt64 `db:"ready_at"`
}

const labPoolCols = `id, backend, cluster, namespace, state, created_at, updated_at, ready_at`

func (r labPoolRow) env() *domain.LabPoolEnv {
	e := &domain.LabPoolEnv{ID: r.ID, Backend: r.Backend, Cluster: r.Cluster, Namespace: r.Namespace,
		State: domain.LabPoolState(r.State), CreatedAt: fromMillis(r.CreatedAt), UpdatedAt: fromMillis(r.UpdatedAt)}
	if r.ReadyAt.Valid {
		e.ReadyAt = fromMillis(r.ReadyAt.Int64)
	}
	return e
}

// AddLabPoolEnv records a pooled environment about to be prepared (state provisioning).
func (db *DB) AddLabPoolEnv(ctx context.Context, e *domain.LabPoolEnv) error {
	now := millis(db.now())
	_, err := db.write.ExecContext(ctx, `INSERT INTO lab_pool (id, backend, cluster, namespace, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'provisioning', ?, ?)`, e.ID, e.Backend, e.Cluster, e.Namespace, now, now)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "The pooled lab environment %s/%s exists already.", e.Cluster, e.Namespace)
	}
	if err != nil {
		return fmt.Errorf("add pooled lab environment %s: %w", e.ID, err)
	}
	return nil
}

// LabPoolEnvReady marks a prepared environment ready to claim.
func (db *DB) LabPoolEnvReady(ctx context.Context, id string) error {
	now := millis(db.now())
	res, err := db.write.ExecContext(ctx, `UPDATE lab_pool SET state = 'ready', ready_at = ?, updated_at = ?
		WHERE id = ? AND state = 'provisioning'`, now, now, id)
	if err != nil {
		return fmt.Errorf("pooled lab environment %s ready: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "No pooled lab environment %s being prepared.", id)
	}
	return nil
}

// HeartbeatLabPoolEnv shows that the environment's preparation is alive.
func (db *DB) HeartbeatLabPoolEnv(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE lab_pool SET updated_at = ? WHERE id = ?`, millis(db.now()), id)
	if err != nil {
		return fmt.Errorf("heartbeat pooled lab environment %s: %w", id, err)
	}
	return nil
}

// DeleteLabPoolEnv forgets a pooled environment (deleted, failed or gone).
func (db *DB) DeleteLabPoolEnv(ctx context.Context, id string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM lab_pool WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete pooled lab environment %s: %w", id, err)
	}
	return nil
}

// LabPool returns the backend's pooled environments, oldest first.
func (db *DB) LabPool(ctx context.Context, backendName string) ([]*domain.LabPoolEnv, error) {
	var rows []labPoolRow
	if err := db.sel(ctx, &rows, `SELECT `+labPoolCols+` FROM lab_pool WHERE backend = ?
		ORDER BY created_at, id`, backendName); err != nil {
		return nil, fmt.Errorf("lab pool of %s: %w", backendName, err)
	}
	out := make([]*domain.LabPoolEnv, len(rows))
	for i, r := range rows {
		out[i] = r.env()
	}
	return out, nil
}

// CreateLabSessionFromPool creates the session (as CreateLabSession) on the oldest ready
// environment of the backend's pool, in one transaction that deletes the pool's row: two
// Starts never claim the same environment, and a Start that fails to record its session leaves
// the environment in the pool. place turns the claimed environment into the session's cluster
// and namespace (its error undoes the claim). It returns the claimed environment, or ENOTFOUND when none is ready.
func (db *DB) CreateLabSessionFromPool(ctx context.Context, s *domain.LabSession, place func(*domain.LabPoolEnv) (cluster, namespace string, err error)) (*domain.LabPoolEnv, error) {
	var claimed *domain.LabPoolEnv
	now := millis(db.now())
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var r labPoolRow
		err := tx.GetContext(ctx, &r, `DELETE FROM lab_pool WHERE id = (SELECT id FROM lab_pool
			WHERE backend = ? AND state = 'ready' ORDER BY ready_at, id LIMIT 1) RETURNING `+labPoolCols, s.Backend)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No pooled lab environment is ready.")
		}
		if err != nil {
			return fmt.Errorf("claim pooled lab environment: %w", err)
		}
		claimed = r.env()
		if s.Cluster, s.Namespace, err = place(claimed); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO lab_sessions (id, user_id, lab_id, backend, state, cluster, namespace, job,
			created_at, updated_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.UserID, s.LabID, s.Backend, string(domain.LabProvisioning), s.Cluster, s.Namespace, "start", now, now, now)
		if isUniqueViolation(err) {
			return domain.Errorf(domain.ECONFLICT, "This lab is already running.")
		}
		if err != nil {
			return fmt.Errorf("create lab session %s/%s for user %d: %w", s.LabID, s.ID, s.UserID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}

// MoveLabSessionToPool moves the user's resetting session id onto the oldest ready environment
// of the backend's pool, in one transaction that deletes the pool's row (as
// CreateLabSessionFromPool): place turns the claimed environment into the session's cluster
// and namespace. A cluster lab's reset takes a fresh cluster this way instead of recreating
// its own. ENOTFOUND when none is ready (or the session is not resetting).
func (db *DB) MoveLabSessionToPool(ctx context.Context, userID int64, id, backendName string, place func(*domain.LabPoolEnv) (cluster, namespace string, err error)) (*domain.LabPoolEnv, error) {
	var claimed *domain.LabPoolEnv
	now := millis(db.now())
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var r labPoolRow
		err := tx.GetContext(ctx, &r, `DELETE FROM lab_pool WHERE id = (SELECT id FROM lab_pool
			WHERE backend = ? AND state = 'ready' AND namespace = '' ORDER BY ready_at, id LIMIT 1) RETURNING `+labPoolCols, backendName)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No pooled lab environment is ready.")
		}
		if err != nil {
			return fmt.Errorf("claim pooled lab environment: %w", err)
		}
		claimed = r.env()
		cluster, namespace, err := place(claimed)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE lab_sessions SET cluster = ?, namespace = ?, updated_at = ?
			WHERE id = ? AND user_id = ? AND state = ?`, cluster, namespace, now, id, userID, string(domain.LabResetting))
		if err != nil {
			return fmt.Errorf("move lab session %s to a pooled environment: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No resetting lab session %s.", id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// LabInstance returns the installation's id (12 hex digits), creating it on first use.
func (db *DB) LabInstance(ctx context.Context) (string, error) {
	var id string
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		b := make([]byte, 6)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("installation id: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lab_install (id, instance) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, hex.EncodeToString(b)); err != nil {
			return fmt.Errorf("create installation id: %w", err)
		}
		if err := tx.GetContext(ctx, &id, `SELECT instance FROM lab_install WHERE id = 1`); err != nil {
			return fmt.Errorf("read installation id: %w", err)
		}
		return nil
	})
	return id, err
}

type labSessionRow struct {
	ID           string         `db:"id"`
	UserID       int64          `db:"user_id"`
	LabID        string         `db:"lab_id"`
	Backend      string         `db:"backend"`
	State        string         `db:"state"`
	Error        string         `db:"error"`
	Cluster      string         `db:"cluster"`
	Namespace    string         `db:"namespace"`
	Kubeconfig   string         `db:"kubeconfig"`
	Job          string         `db:"job"`
	JobSeq       int64          `db:"job_seq"`
	Hints        string         `db:"hints"`
	LastReport   sql.NullString `db:"last_report"`
	CreatedAt    int64          `db:"created_at"`
	UpdatedAt    int64          `db:"updated_at"`
	LastActiveAt int64          `db:"last_active_at"`
	ReadyAt      sql.NullInt64  `db:"ready_at"`
	EndedAt      sql.NullInt64  `db:"ended_at"`
}

const labSessionCols = `id, user_id, lab_id, backend, state, error, cluster, namespace, kubeconfig, job, job_seq,
	hints, last_report, created_at, updated_at, last_active_at, ready_at, ended_at`

func (r labSessionRow) session() (*domain.LabSession, error) {
	s := &domain.LabSession{ID: r.ID, UserID: r.UserID, LabID: r.LabID, Backend: r.Backend, State: domain.LabState(r.State),
		Error: r.Error, Cluster: r.Cluster, Namespace: r.Namespace, Kubeconfig: r.Kubeconfig, Job: r.Job,
		CreatedAt: fromMillis(r.CreatedAt), UpdatedAt: fromMillis(r.UpdatedAt), LastActiveAt: fromMillis(r.LastActiveAt)}
	if r.ReadyAt.Valid {
		s.ReadyAt = fromMillis(r.ReadyAt.Int64)
	}
	if r.EndedAt.Valid {
		s.EndedAt = fromMillis(r.EndedAt.Int64)
	}
	if err := json.Unmarshal([]byte(r.Hints), &s.Hints); err != nil {
		return nil, fmt.Errorf("lab session %s hints: %w", r.ID, err)
	}
	if r.LastReport.Valid {
		s.LastReport = &domain.LabReport{}
		if err := json.Unmarshal([]byte(r.LastReport.String), s.LastReport); err != nil {
			return nil, fmt.Errorf("lab session %s report: %w", r.ID, err)
		}
	}
	return s, nil
}

// CreateLabSession records a new session in state provisioning. It fails with ECONFLICT when
// the user already has an active session of the lab.
func (db *DB) CreateLabSession(ctx context.Context, s *domain.LabSession) error {
	now := millis(db.now())
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO lab_sessions (id, user_id, lab_id, backend, state, cluster, namespace, job,
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
}

// LabSession returns the user's latest session of the lab (active or not) with the steps of
// its latest job, or ENOTFOUND.
func (db *DB) LabSession(ctx context.Context, userID int64, labID string) (*domain.LabSession, error) {
	var r labSessionRow
	err := db.get(ctx, &r, `SELECT `+labSessionCols+` FROM lab_sessions
		WHERE user_id = ? AND lab_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, userID, labID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "You have not started this lab.")
	}
	if err != nil {
		return nil, fmt.Errorf("lab session %s of user %d: %w", labID, userID, err)
	}
	return db.withSteps(ctx, r)
}

// LabSessionByID returns one of the user's sessions with the steps of its latest job.
func (db *DB) LabSessionByID(ctx context.Context, userID int64, id string) (*domain.LabSession, error) {
	var r labSessionRow
	err := db.get(ctx, &r, `SELECT `+labSessionCols+` FROM lab_sessions WHERE user_id = ? AND id = ?`, userID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No such lab session.")
	}
	if err != nil {
		return nil, fmt.Errorf("lab session %s of user %d: %w", id, userID, err)
	}
	return db.withSteps(ctx, r)
}

func (db *DB) withSteps(ctx context.Context, r labSessionRow) (*domain.LabSession, error) {
	s, err := r.session()
	if err != nil {
		return nil, err
	}
	var steps []struct {
		Name      string        `db:"name"`
		StartedAt int64         `db:"started_at"`
		EndedAt   sql.NullInt64 `db:"ended_at"`
		Error     string        `db:"error"`
	}
	if err := db.sel(ctx, &steps, `SELECT name, started_at, ended_at, error FROM lab_steps
		WHERE session_id = ? AND job_seq = ? ORDER BY seq`, r.ID, r.JobSeq); err != nil {
		return nil, fmt.Errorf("steps of lab session %s: %w", r.ID, err)
	}
	for _, st := range steps {
		step := domain.LabStep{Name: st.Name, StartedAt: fromMillis(st.StartedAt), Error: st.Error}
		if st.EndedAt.Valid {
			step.EndedAt = fromMillis(st.EndedAt.Int64)
		}
		s.Steps = append(s.Steps, step)
	}
	return s, nil
}

// ActiveLabSessions returns the user's active sessions, newest first.
func (db *DB) ActiveLabSessions(ctx context.Context, userID int64) ([]*domain.LabSession, error) {
	return db.selectSessions(ctx, `SELECT `+labSessionCols+` FROM lab_sessions
		WHERE user_id = ? AND state NOT IN ('ended', 'failed') ORDER BY created_at DESC`, userID)
}

// AllActiveLabSessions returns every user's active sessions. Only the lab service's background
// reconciler uses it (expiry, crash recovery): no request ever reaches it.
func (db *DB) AllActiveLabSessions(ctx context.Context) ([]*domain.LabSession, error) {
	return db.selectSessions(ctx, `SELECT `+labSessionCols+` FROM lab_sessions WHERE state NOT IN ('ended', 'failed') ORDER BY created_at`)
}

func (db *DB) selectSessions(ctx context.Context, q string, args ...any) ([]*domain.LabSession, error) {
	var rows []labSessionRow
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("list lab sessions: %w", err)
	}
	out := make([]*domain.LabSession, 0, len(rows))
	for _, r := range rows {
		s, err := r.session()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// StartLabJob moves a session from one of the states in from to state to, for a new
// background job (reset, stop): the job's steps start afresh. It fails with ECONFLICT when the
// session is in none of the from states (e.g. a reset while provisioning).
func (db *DB) StartLabJob(ctx context.Context, userID int64, id string, from []domain.LabState, to domain.LabState, job string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		q, args, err := sqlx.In(`UPDATE lab_sessions SET state = ?, job = ?, job_seq = job_seq + 1, error = '', updated_at = ?,
			last_active_at = ? WHERE user_id = ? AND id = ? AND state IN (?)`,
			string(to), job, millis(db.now()), millis(db.now()), userID, id, states(from))
		if err != nil {
			return fmt.Errorf("start lab job: %w", err)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("start %s on lab session %s: %w", job, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var state string
			if err := tx.GetContext(ctx, &state, `SELECT state FROM lab_sessions WHERE user_id = ? AND id = ?`, userID, id); err != nil {
				return domain.Errorf(domain.ENOTFOUND, "No such lab session.")
			}
			return domain.Errorf(domain.ECONFLICT, "The lab is %s; try again when it is ready.", state)
		}
		return nil
	})
}

func states(ss []domain.LabState) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// FinishLabJob records the end of a job: the new state and, for failed, why.
func (db *DB) FinishLabJob(ctx context.Context, userID int64, id string, state domain.LabState, errMsg string) error {
	now := millis(db.now())
	set := `state = ?, error = ?, updated_at = ?`
	args := []any{string(state), errMsg, now}
	switch state {
	case domain.LabReady:
		set += `, ready_at = ?`
		args = append(args, now)
	case domain.LabEnded, domain.LabFailed:
		set += `, ended_at = ?`
		args = append(args, now)
	}
	return db.updateSession(ctx, userID, id, set, args...)
}

// SetLabKubeconfig records where the learner's kubeconfig file is.
func (db *DB) SetLabKubeconfig(ctx context.Context, userID int64, id, path string) error {
	return db.updateSession(ctx, userID, id, `kubeconfig = ?`, path)
}

// HeartbeatLabSession shows that a job is still working on the session.
func (db *DB) HeartbeatLabSession(ctx context.Context, userID int64, id string) error {
	return db.updateSession(ctx, userID, id, `updated_at = ?`, millis(db.now()))
}

// TouchLabSession records a learner action on the session (idle expiry counts from it).
func (db *DB) TouchLabSession(ctx context.Context, userID int64, id string) error {
	return db.updateSession(ctx, userID, id, `last_active_at = ?`, millis(db.now()))
}

// SaveLabReport stores the latest check of the session.
func (db *DB) SaveLabReport(ctx context.Context, userID int64, id string, rep *domain.LabReport) error {
	data, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode lab report: %w", err)
	}
	return db.updateSession(ctx, userID, id, `last_report = ?, last_active_at = ?`, string(data), millis(db.now()))
}

// RevealLabHint reveals one more hint of a task, up to max, and returns how many are revealed.
func (db *DB) RevealLabHint(ctx context.Context, userID int64, id, taskID string, max int) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var raw string
		if err := tx.GetContext(ctx, &raw, `SELECT hints FROM lab_sessions WHERE user_id = ? AND id = ?`, userID, id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Errorf(domain.ENOTFOUND, "No such lab session.")
			}
			return fmt.Errorf("hints of lab session %s: %w", id, err)
		}
		hints := map[string]int{}
		if err := json.Unmarshal([]byte(raw), &hints); err != nil {
			return fmt.Errorf("hints of lab session %s: %w", id, err)
		}
		n = min(hints[taskID]+1, max)
		hints[taskID] = n
		data, _ := json.Marshal(hints)
		_, err := tx.ExecContext(ctx, `UPDATE lab_sessions SET hints = ?, last_active_at = ? WHERE user_id = ? AND id = ?`,
			string(data), millis(db.now()), userID, id)
		if err != nil {
			return fmt.Errorf("reveal hint: %w", err)
		}
		return nil
	})
	return n, err
}

func (db *DB) updateSession(ctx context.Context, userID int64, id, set string, args ...any) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE lab_sessions SET `+set+` WHERE user_id = ? AND id = ?`, append(args, userID, id)...)
		if err != nil {
			return fmt.Errorf("update lab session %s (%s): %w", id, strings.Fields(set)[0], err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No such lab session.")
		}
		return nil
	})
}

// StartLabStep records the start of a step of the session's current job, ending the step
// before it.
func (db *DB) StartLabStep(ctx context.Context, userID int64, id, name string) error {
	now := millis(db.now())
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var jobSeq int64
		if err := tx.GetContext(ctx, &jobSeq, `SELECT job_seq FROM lab_sessions WHERE user_id = ? AND id = ?`, userID, id); err != nil {
			return fmt.Errorf("lab session %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lab_steps SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL`, now, id); err != nil {
			return fmt.Errorf("end lab step: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO lab_steps (session_id, seq, job_seq, name, started_at)
			VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM lab_steps WHERE session_id = ?), ?, ?, ?)`, id, id, jobSeq, name, now)
		if err != nil {
			return fmt.Errorf("start lab step %q: %w", name, err)
		}
		if _, err = tx.ExecContext(ctx, `UPDATE lab_sessions SET updated_at = ? WHERE user_id = ? AND id = ?`, now, userID, id); err != nil {
			return fmt.Errorf("lab session %s heartbeat: %w", id, err)
		}
		return nil
	})
}

// EndLabSteps ends the running step of the session, with an error message if it failed.
func (db *DB) EndLabSteps(ctx context.Context, userID int64, id, errMsg string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE lab_steps SET ended_at = ?, error = ? WHERE ended_at IS NULL
			AND session_id = (SELECT id FROM lab_sessions WHERE user_id = ? AND id = ?)`, millis(db.now()), errMsg, userID, id)
		if err != nil {
			return fmt.Errorf("end lab steps of %s: %w", id, err)
		}
		return nil
	})
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// SessionStore keeps scs sessions in the database: lookups use the read pool, so a busy
// server's requests do not queue behind the single writer just to read their session.
// It implements scs.Store and scs.CtxStore.
type SessionStore struct{ db *DB }

// Sessions returns the session store.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

// FindCtx returns a live session's data: from what this process last wrote for it when it
// has that (the server is the only writer of sessions, and the memo keeps the expiry that was
// written, so it answers as the row would), else from the database.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if data, ok := s.db.sessionsWritten.find(token, s.db.now()); ok {
		return data, true, nil
	}
	var data []byte
	err := s.db.get(ctx, &data, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`, token, millis(s.db.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// SessionRefreshStep is how far a session's idle expiry may slide before it is written again.
// scs commits every request of a session with an idle timeout, only to move its expiry
// forward: with 1,000 learners that was a database write per page and per answer, queued on
// the single writer beside the answers themselves. A commit whose data is unchanged and whose
// expiry moved by less than this step is skipped, so an idle session expires at most this much
// before its idle timeout says.
const SessionRefreshStep = 10 * time.Minute

// CommitCtx stores or replaces a session, unless this process wrote the same data with an
// expiry less than SessionRefreshStep earlier.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	if s.db.sessionsWritten.fresh(token, data, expiry) {
		return nil
	}
	// The write and the memo's record of it are one step against a concurrent delete of the
	// same token (a logout in another tab): otherwise the delete could forget the token between
	// this write and its record, and the memo would keep alive a session the database no longer
	// has. Writes queue on the single writer anyway, so the lock costs no concurrency.
	s.db.sessionsWritten.writing.Lock()
	defer s.db.sessionsWritten.writing.Unlock()
	_, err := s.db.writeExec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, data, millis(expiry))
	if err != nil {
		s.db.sessionsWritten.forget(token)
		return fmt.Errorf("commit session: %w", err)
	}
	s.db.sessionsWritten.wrote(token, data, expiry)
	return nil
}

// sessionMemo holds what was last written for each session, bounded: when it holds
// sessionMemoMax sessions it starts afresh (each then costs one write more).
type sessionMemo struct {
	writing sync.Mutex // held across a session's database write or delete and the memo's update
	mu      sync.Mutex
	m       map[string]sessionWrite
}

type sessionWrite struct {
	data   string
	expiry time.Time
}

const sessionMemoMax = 50_000

func (sm *sessionMemo) fresh(token string, data []byte, expiry time.Time) bool {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	w, ok := sm.m[token]
	return ok && w.data == string(data) && !expiry.Before(w.expiry) && expiry.Sub(w.expiry) < SessionRefreshStep
}

// find returns the data last written for a session whose written expiry is after now.
func (sm *sessionMemo) find(token string, now time.Time) ([]byte, bool) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	w, ok := sm.m[token]
	if !ok || !now.Before(w.expiry) {
		return nil, false
	}
	return []byte(w.data), true
}

func (sm *sessionMemo) wrote(token string, data []byte, expiry time.Time) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.m == nil || len(sm.m) >= sessionMemoMax {
		sm.m = map[string]sessionWrite{}
	}
	sm.m[token] = sessionWrite{data: string(data), expiry: expiry}
}

func (sm *sessionMemo) forget(token string) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	delete(sm.m, token)
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	s.db.sessionsWritten.writing.Lock()
	defer s.db.sessionsWritten.writing.Unlock()
	s.db.sessionsWritten.forget(token)
	return s.db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token = ?`, token); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes expired sessions and returns how many.
func (s *SessionStore) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= ?`, millis(s.db.now()))
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// Find, Commit and Delete satisfy scs.Store for callers without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, data, expiry)
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

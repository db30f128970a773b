package store

import (
	"context"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

func TestSessionsExpire(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	db, err := Open(context.Background(), t.TempDir()+"/k.db", WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := db.Sessions()
	if err := s.CommitCtx(ctx, "old", []byte("a"), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "new", []byte("b"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Minute)
	if _, found, _ := s.FindCtx(ctx, "old"); found {
		t.Error("an expired session is still found")
	}
	n, err := s.DeleteExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if data, found, err := s.FindCtx(ctx, "new"); !found || string(data) != "b" || err != nil {
		t.Errorf("the live session: %q %v %v", data, found, err)
	}
	if n, _ := s.DeleteExpiredSessions(ctx); n != 0 {
		t.Errorf("second sweep deleted %d", n)
	}
}

// A commit that only slides the idle expiry forward by less than SessionRefreshStep is not
// written; new data, a longer slide, a deletion or another store on the same file (a restart)
// write again.
func TestSessionCommitSkipsIdleRefresh(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	path := t.TempDir() + "/k.db"
	db, err := Open(ctx, path, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.Sessions()
	stored := func() (string, time.Time) {
		t.Helper()
		var r struct {
			Data   []byte `db:"data"`
			Expiry int64  `db:"expiry"`
		}
		if err := db.read.GetContext(ctx, &r, `SELECT data, expiry FROM sessions WHERE token = 'tok'`); err != nil {
			t.Fatal(err)
		}
		return string(r.Data), time.UnixMilli(r.Expiry).UTC()
	}
	commit := func(data string, expiry time.Time) {
		t.Helper()
		if err := db.Sessions().CommitCtx(ctx, "tok", []byte(data), expiry); err != nil {
			t.Fatal(err)
		}
	}
	e0 := now.Add(72 * time.Hour)
	commit("a", e0)
	commit("a", e0.Add(time.Minute)) // a request a minute later: only the expiry slides
	if d, e := stored(); d != "a" || !e.Equal(e0) {
		t.Errorf("after a one-minute slide the row holds %q, %v; want it unwritten (%v)", d, e, e0)
	}
	commit("b", e0.Add(2*time.Minute))
	if d, e := stored(); d != "b" || !e.Equal(e0.Add(2*time.Minute)) {
		t.Errorf("new data was not written: %q, %v", d, e)
	}
	commit("b", e0.Add(2*time.Minute+SessionRefreshStep))
	if _, e := stored(); !e.Equal(e0.Add(2*time.Minute + SessionRefreshStep)) {
		t.Errorf("a slide of a whole refresh step was not written: %v", e)
	}
	if data, found, err := s.FindCtx(ctx, "tok"); !found || string(data) != "b" || err != nil {
		t.Errorf("find after commits: %q %v %v", data, found, err)
	}
	if err := s.DeleteCtx(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.FindCtx(ctx, "tok"); found {
		t.Error("a deleted session is still found")
	}
	// The memo answers with the expiry that was written, as the row would: a session whose
	// written expiry has passed is not found, even though later requests slid it in the memo's
	// skipped commits.
	commit("c", now.Add(time.Hour))
	commit("c", now.Add(time.Hour+time.Minute)) // skipped
	now = now.Add(time.Hour + 30*time.Second)
	if _, found, _ := s.FindCtx(ctx, "tok"); found {
		t.Error("a session past its written expiry is found")
	}
	now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	commit("b", e0.Add(2*time.Minute+SessionRefreshStep))
	if d, _ := stored(); d != "b" {
		t.Errorf("a session committed again after its deletion is %q", d)
	}
	// Another process on the same file knows nothing of this one's writes: it writes.
	db.Close()
	db2, err := Open(ctx, path, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	db = db2
	commit("b", e0.Add(3*time.Minute+SessionRefreshStep))
	if _, e := stored(); !e.Equal(e0.Add(3*time.Minute + SessionRefreshStep)) {
		t.Errorf("a fresh store skipped its first commit: %v", e)
	}
}

// users.id can be handed out again after the newest account is deleted: a session of the
// deleted account (its id and generation) must not sign in as the account that gets the id.
func TestSessionOfDeletedUserDoesNotPassToTheIDsNextHolder(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir()+"/k.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateAccount(ctx, "first", "First", domain.RoleLearner, "x"); err != nil {
		t.Fatal(err)
	}
	gone, err := db.CreateAccount(ctx, "gone", "Gone", domain.RoleLearner, "x")
	if err != nil {
		t.Fatal(err)
	}
	cred, err := db.CredentialsByUsername(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, gone.ID, cred.SessionGen); err != nil {
		t.Fatalf("the account's own session: %v", err)
	}
	if err := db.DeleteUser(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	next, err := db.CreateAccount(ctx, "next", "Next", domain.RoleLearner, "x")
	if err != nil {
		t.Fatal(err)
	}
	if next.ID != gone.ID {
		t.Logf("the id was not reused (%d, then %d): the check below still holds", gone.ID, next.ID)
	}
	if u, err := db.SessionUser(ctx, gone.ID, cred.SessionGen); err == nil {
		t.Errorf("the deleted account's session signs in as %q", u.Username)
	}
}

package store

import (
	"context"
	"testing"
	"time"
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

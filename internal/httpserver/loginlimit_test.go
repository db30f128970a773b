package httpserver

import (
	"testing"
	"time"
)

func TestLoginLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLoginLimiter()
	l.now = func() time.Time { return now }
	for range loginBurst - 1 {
		l.Failed("ana")
	}
	if b, _ := l.Blocked("ana"); b {
		t.Fatal("blocked before the burst is used up")
	}
	l.Failed("Ana") // usernames are case-insensitive
	b, wait := l.Blocked("ana")
	if !b || wait <= 0 || wait > loginEvery {
		t.Fatalf("after %d failures: blocked=%v wait=%v", loginBurst, b, wait)
	}
	now = now.Add(wait)
	if b, _ := l.Blocked("ana"); b {
		t.Fatal("still blocked after the wait it announced")
	}
	l.Failed("ana")
	if b, _ := l.Blocked("ana"); !b {
		t.Fatal("one try per interval after the burst: want blocked again")
	}
	l.Succeeded("ana")
	if b, _ := l.Blocked("ana"); b {
		t.Fatal("a success must clear the record")
	}
}

package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// MustOpen opens a fresh database file in a temporary directory.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "kcnaprep.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "kcnaprep.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.MigrationVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("version = %d, %v", v, err)
	}
	u, err := db.EnsureLocalUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetLessonComplete(ctx, u.ID, "kf/01-x", true); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(ctx, path) // migrations already applied: must be a no-op
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u2, err := db.EnsureLocalUser(ctx)
	if err != nil || u2.ID != u.ID {
		t.Fatalf("local user after reopen = %+v, %v; want id %d", u2, err, u.ID)
	}
	if _, ok, _ := db.LessonCompletedAt(ctx, u.ID, "kf/01-x"); !ok {
		t.Error("progress lost across reopen")
	}
	var fk int
	if err := db.write.Get(&fk, "PRAGMA foreign_keys"); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v", fk, err)
	}
	var mode string
	if err := db.read.Get(&mode, "PRAGMA journal_mode"); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
}

func TestLessonProgressIsPerUserAndIdempotent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	a, _ := db.EnsureLocalUser(ctx)
	b, err := db.CreateUser(ctx, "bea", "Bea", domain.RoleLearner)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := db.SetLessonComplete(ctx, a.ID, "l1", true); err != nil {
			t.Fatal(err)
		}
	}
	first, _, _ := db.LessonCompletedAt(ctx, a.ID, "l1")
	_ = db.SetLessonComplete(ctx, a.ID, "l1", true)
	again, _, _ := db.LessonCompletedAt(ctx, a.ID, "l1")
	if !first.Equal(again) {
		t.Errorf("re-marking changed completion time %v -> %v", first, again)
	}
	got, _ := db.CompletedLessons(ctx, b.ID)
	if len(got) != 0 {
		t.Errorf("user b sees user a's progress: %v", got)
	}
	got, _ = db.CompletedLessons(ctx, a.ID)
	if len(got) != 1 {
		t.Errorf("user a progress = %v", got)
	}
	if err := db.SetLessonComplete(ctx, a.ID, "l1", false); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.LessonCompletedAt(ctx, a.ID, "l1"); ok {
		t.Error("lesson still complete after unmarking")
	}
	if _, err := db.CreateUser(ctx, "BEA", "dup", domain.RoleLearner); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("duplicate username error = %v, want conflict", err)
	}
}

func TestSearchLessons(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	docs := []domain.SearchDoc{
		{LessonID: "kf/04-pods", Title: "Pods", Body: "A Pod groups containers that share a network namespace."},
		{LessonID: "co/02-services", Title: "Services", Body: "A Service load-balances traffic to pods selected by labels; kube-proxy programs rules."},
		{LessonID: "co/10-storage", Title: "Volumes", Body: "PersistentVolumeClaims request storage."},
	}
	if err := db.IndexLessons(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexLessons(ctx, docs); err != nil { // rebuild replaces, never duplicates
		t.Fatal(err)
	}
	hits, err := db.SearchLessons(ctx, "pod", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].LessonID != "kf/04-pods" {
		t.Fatalf("hits for pod = %+v, want the Pods lesson first of 2", hits)
	}
	if !strings.Contains(hits[0].Snippet, domain.HitStart) {
		t.Errorf("snippet has no match marker: %q", hits[0].Snippet)
	}
	hits, _ = db.SearchLessons(ctx, "kube-proxy rules", 10)
	if len(hits) != 1 || hits[0].LessonID != "co/02-services" {
		t.Errorf("hits for kube-proxy rules = %+v", hits)
	}
	// Stemming: "requesting" finds "request".
	if hits, _ := db.SearchLessons(ctx, "requesting", 10); len(hits) != 1 {
		t.Errorf("stemmed search = %+v", hits)
	}
	// FTS syntax in user input must not error or be interpreted.
	for _, q := range []string{`"`, `pod OR`, `NEAR(`, `*`, `a:b`, `-pod`, ``} {
		if _, err := db.SearchLessons(ctx, q, 10); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
}

// The writer does not checkpoint (wal_autocheckpoint is off so no save waits for one): the
// background checkpointer copies the WAL into the database file.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kcnaprep.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func(p string) int64 {
		st, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return st.Size()
	}
	start := size(path)
	for i := range 300 {
		if _, err := db.CreateAccount(ctx, fmt.Sprintf("user%03d", i), strings.Repeat("x", 200), domain.RoleLearner, strings.Repeat("h", 60)); err != nil {
			t.Fatal(err)
		}
	}
	if size(path+"-wal") == 0 {
		t.Fatal("no WAL written")
	}
	deadline := time.Now().Add(time.Minute)
	for size(path) <= start {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes a minute after the writes: nothing checkpointed the WAL (%d bytes)", size(path), size(path+"-wal"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

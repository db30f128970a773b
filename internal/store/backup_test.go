package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

func usernames(t *testing.T, db *DB) string {
	t.Helper()
	us, err := db.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
	}
	return strings.Join(names, ",")
}

// A backup taken while the database is open holds what was committed before it; restore
// refuses while the database is open and keeps the old file as a .bak.
func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "kcnaprep.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAccount(ctx, "ana", "Ana", domain.RoleLearner, "x"); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "backup.db")
	info, err := Backup(ctx, path, dst, false)
	if err != nil {
		t.Fatal(err)
	}
	if info.Accounts != 1 || info.Version < 1 || info.Version != info.Latest {
		t.Errorf("backup info %+v", info)
	}
	before, _ := os.ReadFile(dst)
	if _, err := Backup(ctx, path, dst, false); !errors.Is(err, ErrBackupExists) {
		t.Errorf("second backup without force: %v, want ErrBackupExists", err)
	}
	if after, _ := os.ReadFile(dst); string(after) != string(before) {
		t.Error("a refused backup changed the existing file")
	}
	if _, err := db.CreateAccount(ctx, "bo", "Bo", domain.RoleLearner, "x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Restore(ctx, dst, path, time.Now()); !errors.Is(err, ErrInUse) {
		t.Fatalf("restore while open: %v, want ErrInUse", err)
	}
	if got := usernames(t, db); got != "ana,bo" {
		t.Fatalf("after a refused restore the database has %s", got)
	}
	forced := filepath.Join(dir, "forced.db")
	if err := os.WriteFile(forced, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if info, err := Backup(ctx, path, forced, true); err != nil || info.Accounts != 2 {
		t.Fatalf("forced backup: %+v %v", info, err)
	}
	db.Close()
	for _, f := range listDir(t, dir) {
		if strings.Contains(f, ".tmp-") {
			t.Errorf("temporary file left behind: %s", f)
		}
	}

	info, bak, err := Restore(ctx, dst, path, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".20261204T150000Z.bak"; bak != want || info.Accounts != 1 {
		t.Errorf("restore: bak %q info %+v, want %s", bak, info, want)
	}
	old, err := Inspect(ctx, bak)
	if err != nil || old.Accounts != 2 {
		t.Errorf("the kept database: %+v %v", old, err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := usernames(t, db); got != "ana" {
		t.Errorf("restored database has %s, want ana", got)
	}
	for _, f := range listDir(t, filepath.Dir(path)) {
		if strings.Contains(f, ".restore-") {
			t.Errorf("temporary file left behind: %s", f)
		}
	}
}

// Restore checks the file before it touches the database: garbage, a truncated copy, a
// SQLite file of another program and a database newer than this build are all refused.
func TestRestoreRefusesWhatIsNotAKcnaprepDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "kcnaprep.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAccount(ctx, "ana", "Ana", domain.RoleLearner, "x"); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.db")
	if _, err := Backup(ctx, path, good, false); err != nil {
		t.Fatal(err)
	}
	db.Close()

	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 500)), 0o600)
	b, _ := os.ReadFile(good)
	truncated := filepath.Join(dir, "truncated.db")
	os.WriteFile(truncated, b[:len(b)/2], 0o600)
	other := filepath.Join(dir, "other.db")
	newer := filepath.Join(dir, "newer.db")
	os.WriteFile(newer, b, 0o600)
	for _, f := range []struct{ path, sql string }{
		{other, `CREATE TABLE notes (x TEXT)`},
		{newer, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`},
	} {
		c, err := sql.Open("sqlite", f.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(f.sql); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	for file, want := range map[string]string{
		garbage:                          "",
		truncated:                        "",
		other:                            "no kcnaprep schema version",
		newer:                            "newer than this kcnaprep knows",
		filepath.Join(dir, "missing.db"): "no such file",
	} {
		_, _, err := Restore(ctx, file, path, time.Now())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("restore %s: %v, want an error containing %q", filepath.Base(file), err, want)
		}
	}
	if bak, _ := filepath.Glob(path + ".*.bak"); len(bak) != 0 {
		t.Errorf("a refused restore moved the database: %v", bak)
	}
	if info, err := Inspect(ctx, path); err != nil || info.Accounts != 1 {
		t.Errorf("the database after refused restores: %+v %v", info, err)
	}
	for _, f := range listDir(t, filepath.Dir(path)) {
		if strings.Contains(f, ".restore-") {
			t.Errorf("temporary file left behind: %s", f)
		}
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

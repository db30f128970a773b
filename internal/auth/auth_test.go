package auth_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kcnaprep.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestHashPasswordRules(t *testing.T) {
	for _, pw := range []string{"", "short", "ninechars"} {
		if _, err := auth.HashPassword(pw); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("HashPassword(%q) = %v, want EINVALID", pw, err)
		}
	}
	if _, err := auth.HashPassword(strings.Repeat("x", 73)); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a 73-byte password: %v, want EINVALID (bcrypt ignores bytes past 72)", err)
	}
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2a$11$") {
		t.Errorf("hash %q: want bcrypt at cost %d", h, auth.Cost)
	}
	h2, _ := auth.HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.CreateAccount(ctx, "ada", "Ada", domain.RoleLearner, h)
	if err != nil {
		t.Fatal(err)
	}
	u, err := auth.Login(ctx, db, "ada", "correct horse battery")
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	if u.ID != want.ID || u.Username != "ada" {
		t.Errorf("logged in as %+v, want %+v", u, want)
	}
	// A wrong password and an unknown user get the very same error, so a login form never
	// tells which usernames exist.
	_, errPw := auth.Login(ctx, db, "ada", "wrong password!!")
	_, errUser := auth.Login(ctx, db, "nobody", "correct horse battery")
	for name, err := range map[string]error{"wrong password": errPw, "unknown user": errUser} {
		if err != auth.ErrBadLogin {
			t.Errorf("%s: %v, want ErrBadLogin", name, err)
		}
	}
}

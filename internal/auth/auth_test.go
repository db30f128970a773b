package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

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
	db := testenv.MustOpenDB(t, nil)
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	want := testenv.MustCreateAccount(t, db, "ada", "Ada", domain.RoleLearner, h)
	svc := auth.New(db)
	u, _, err := svc.Login(ctx, "ada", "correct horse battery")
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	if u.ID != want.ID || u.Username != "ada" {
		t.Errorf("logged in as %+v, want %+v", u, want)
	}
	// A wrong password and an unknown user get the very same error, so a login form never
	// tells which usernames exist.
	_, _, errPw := svc.Login(ctx, "ada", "wrong password!!")
	_, _, errUser := svc.Login(ctx, "nobody", "correct horse battery")
	for name, err := range map[string]error{"wrong password": errPw, "unknown user": errUser} {
		if err != auth.ErrBadLogin {
			t.Errorf("%s: %v, want ErrBadLogin", name, err)
		}
	}
	// The user of a session is found by id; a removed account is ENOTFOUND.
	if u, err := svc.User(ctx, want.ID); err != nil || u.Username != "ada" {
		t.Errorf("User(%d) = %+v, %v", want.ID, u, err)
	}
	if _, err := svc.User(ctx, want.ID+100); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("User of no account: %v, want ENOTFOUND", err)
	}
}

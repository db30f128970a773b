package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// The chart's Secret reaches the server as KCNAPREP_ADMIN_USERNAME/PASSWORD: the first start
// creates that admin, later starts (every Pod restart) leave the account as it is, even when
// its password was changed since.
func TestBootstrapAdminFromEnvironment(t *testing.T) {
	ctx := context.Background()
	cfg := app.Config{DataDir: t.TempDir()}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(user, pw string) func(string) string {
		return func(k string) string {
			return map[string]string{"KCNAPREP_ADMIN_USERNAME": user, "KCNAPREP_ADMIN_PASSWORD": pw}[k]
		}
	}
	if err := bootstrapAdmin(ctx, cfg, env("", ""), logger); err != nil {
		t.Fatalf("without the variables: %v", err)
	}
	for _, bad := range []struct{ user, pw, want string }{
		{"root", "", "go together"},
		{"", "a long enough secret", "go together"},
		{"Root Admin", "a long enough secret", "KCNAPREP_ADMIN_USERNAME"},
		{"root", "short", "KCNAPREP_ADMIN_PASSWORD"},
	} {
		err := bootstrapAdmin(ctx, cfg, env(bad.user, bad.pw), logger)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("user %q password %q: err=%v, want one naming %s", bad.user, bad.pw, err, bad.want)
		}
	}
	hashOf := func() string {
		t.Helper()
		db, err := store.Open(ctx, cfg.DatabasePath())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if has, err := db.HasAccounts(ctx); err != nil || !has {
			t.Fatalf("HasAccounts = %v, %v: want the bootstrapped admin", has, err)
		}
		cred, err := db.CredentialsByUsername(ctx, "root")
		if err != nil {
			t.Fatalf("the admin: %v", err)
		}
		if cred.User.Role != domain.RoleAdmin {
			t.Errorf("role %s, want admin", cred.User.Role)
		}
		return cred.PasswordHash
	}
	if err := bootstrapAdmin(ctx, cfg, env("root", "first secret here"), logger); err != nil {
		t.Fatal(err)
	}
	first := hashOf()
	if bcrypt.CompareHashAndPassword([]byte(first), []byte("first secret here")) != nil {
		t.Fatal("the admin's password is not the one from the environment")
	}
	// A restart with another password in the Secret: the account exists, nothing changes.
	if err := bootstrapAdmin(ctx, cfg, env("root", "another secret here"), logger); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if hashOf() != first {
		t.Error("a restart changed the existing admin's password")
	}
}

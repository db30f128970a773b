package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// user runs "server user ARGS" in-process with the data directory dir and stdin in.
func user(t *testing.T, dir, in string, args ...string) (string, string, error) {
	t.Helper()
	var o, e bytes.Buffer
	getenv := func(k string) string {
		if k == "KCNAPREP_DATA_DIR" {
			return dir
		}
		return ""
	}
	err := runUser(context.Background(), args, getenv, strings.NewReader(in), &o, &e)
	return o.String(), e.String(), err
}

// Usernames have one form; everything else is refused with a message saying it (issue 14,
// point 4).
func TestUserAddRefusesBadUsernames(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"ana\nadmin", "several lines"},
		{"Ana", `use "ana"`},
		{"ana smith", "not allowed"},
		{"_ana", "not allowed"},
		{".hidden", "not allowed"},
		{"ana/../x", "not allowed"},
		{strings.Repeat("a", 64), "not allowed"},
		{"ana\u00e9", "not allowed"},
	} {
		_, stderr, err := user(t, dir, "a long enough secret\n", "add", tc.name)
		if err == nil || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "1 to 63 characters") {
			t.Errorf("user add %q: err=%v stderr=%q, want a refusal containing %q", tc.name, err, stderr, tc.want)
		}
	}
	for _, ok := range []string{"ana", "j.doe", "team-3_b", "7", strings.Repeat("a", 63)} {
		if _, stderr, err := user(t, dir, "a long enough secret\n", "add", ok); err != nil {
			t.Errorf("user add %q: %v %s", ok, err, stderr)
		}
	}
	out, _, _ := user(t, dir, "", "list")
	if strings.Count(out, "\n") != 5 {
		t.Errorf("after 5 good adds the list has:\n%s", out)
	}
}

// disable, enable, role and delete change the account; unknown users and roles are refused.
func TestUserDisableEnableRoleDelete(t *testing.T) {
	dir := t.TempDir()
	if _, e, err := user(t, dir, "a long enough secret\n", "add", "ana"); err != nil {
		t.Fatal(err, e)
	}
	if _, e, err := user(t, dir, "", "disable", "ana"); err != nil {
		t.Fatal(err, e)
	}
	if out, _, _ := user(t, dir, "", "list"); !strings.Contains(out, "(disabled)") {
		t.Errorf("list after disable:\n%s", out)
	}
	if _, e, err := user(t, dir, "", "enable", "ana"); err != nil {
		t.Fatal(err, e)
	}
	if out, _, _ := user(t, dir, "", "list"); strings.Contains(out, "(disabled)") {
		t.Errorf("list after enable:\n%s", out)
	}
	if _, e, err := user(t, dir, "", "role", "ana", "instructor"); err != nil {
		t.Fatal(err, e)
	}
	if out, _, _ := user(t, dir, "", "list"); !strings.Contains(out, "instructor") {
		t.Errorf("list after role:\n%s", out)
	}
	if _, e, err := user(t, dir, "", "role", "ana", "root"); err == nil || !strings.Contains(e, "use learner, instructor or admin") {
		t.Errorf("role root accepted: %v %s", err, e)
	}
	if _, e, err := user(t, dir, "", "disable", "nobody"); err == nil || !strings.Contains(e, `No user "nobody"`) {
		t.Errorf("disable nobody: %v %q", err, e)
	}
	if _, e, err := user(t, dir, "", "delete", "ana"); err != nil {
		t.Fatal(err, e)
	}
	if out, _, _ := user(t, dir, "", "list"); strings.Contains(out, "ana") {
		t.Errorf("list after delete:\n%s", out)
	}
}

// Read commands on a missing data directory say so and create nothing (issue 14, point 9).
func TestMissingDataDirIsAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{{"list"}, {"disable", "ana"}, {"role", "ana", "admin"}} {
		_, stderr, err := user(t, dir, "", args...)
		if err == nil || !strings.Contains(stderr, dir) || !strings.Contains(stderr, "does not exist") {
			t.Errorf("user %v on a missing data dir: err=%v stderr=%q", args, err, stderr)
		}
	}
	_, stderr, code := runBin(t, []string{"KCNAPREP_DATA_DIR=" + dir}, "lab", "list", "--lab-backend", "none")
	if code == 0 || !strings.Contains(stderr, dir) || !strings.Contains(stderr, "does not exist") {
		t.Errorf("lab list on a missing data dir: %d %q", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a read command created %s (%v)", dir, err)
	}
	// An existing directory without a database is refused too.
	empty := t.TempDir()
	if _, stderr, err := user(t, empty, "", "list"); err == nil || !strings.Contains(stderr, "has no kcnaprep.db") {
		t.Errorf("user list on an empty dir: %v %q", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(empty, "kcnaprep.db")); !os.IsNotExist(err) {
		t.Errorf("user list created a database (%v)", err)
	}
	// add may create the database: it is how a first account is made.
	if _, stderr, err := user(t, dir, "a long enough secret\n", "add", "ana"); err != nil {
		t.Errorf("user add on a new data dir: %v %s", err, stderr)
	}
}

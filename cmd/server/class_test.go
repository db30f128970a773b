package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func class(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	var o, e bytes.Buffer
	getenv := func(k string) string {
		if k == "KCNAPREP_DATA_DIR" {
			return dir
		}
		return ""
	}
	err := runClass(context.Background(), args, getenv, &o, &e)
	return o.String(), e.String(), err
}

// server class create and import (issue 9): a class with sections, a roster whose new accounts
// each get one link (text or CSV), a bad roster refused whole with its lines.
func TestClassCreateImport(t *testing.T) {
	dir := t.TempDir()
	if _, e, err := user(t, dir, "a long enough secret\n", "add", "ivo", "--role", "instructor"); err != nil {
		t.Fatal(err, e)
	}
	if _, e, err := user(t, dir, "a long enough secret\n", "add", "lea"); err != nil {
		t.Fatal(err, e)
	}
	out, e, err := class(t, dir, "create", "kcna-1", "--title", "KCNA one", "--instructor", "ivo", "--section", "a", "--section", "b")
	if err != nil || !strings.Contains(out, "sections a, b") {
		t.Fatalf("create: %q %q %v", out, e, err)
	}
	if _, e, err := class(t, dir, "create", "kcna-2", "--title", "x", "--instructor", "lea"); err == nil || !strings.Contains(e, "make them an instructor") {
		t.Errorf("a learner as instructor: %v %q", err, e)
	}
	roster := filepath.Join(dir, "r.csv")
	os.WriteFile(roster, []byte("username,name,email,section\nlea,Lea,,a\nana,\"Doe, Ana\",ana@example.org,b\nbob,,,\n"), 0o600)
	out, e, err = class(t, dir, "import", "kcna-1", roster, "--base-url", "https://kcna.example.org/")
	if err != nil {
		t.Fatal(err, e)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ana\thttps://kcna.example.org/set-password/") || !strings.HasPrefix(lines[1], "bob\t") {
		t.Errorf("import printed:\n%s", out)
	}
	if !strings.Contains(e, "2 new accounts, 1 existing") {
		t.Errorf("import summary: %q", e)
	}
	os.WriteFile(roster, []byte("username,name,email,section\ncy,,,\n"), 0o600)
	out, _, err = class(t, dir, "import", "kcna-1", roster, "--format", "csv")
	if err != nil || !strings.HasPrefix(out, "username,name,email,section,link,expires\ncy,cy,,,/set-password/") {
		t.Errorf("csv import: %v\n%s", err, out)
	}
	os.WriteFile(roster, []byte("username,name,email,section\ndee,,,\n,,,\ndee,,,zz\n"), 0o600)
	_, e, err = class(t, dir, "import", "kcna-1", roster)
	if err == nil || !strings.Contains(e, "r.csv:3: empty username") || !strings.Contains(e, "r.csv:4: the username \"dee\" is also on line 2") {
		t.Errorf("bad roster: %v\n%s", err, e)
	}
	if out, _, _ := user(t, dir, "", "list"); strings.Contains(out, "dee") {
		t.Error("a refused roster created dee")
	}
}

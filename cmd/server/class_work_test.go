package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// classWork runs "server class ARGS" in-process on the data directory dir.
func classWork(t *testing.T, dir string, args ...string) (string, string, error) {
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

func TestClassAssignAndGrades(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, err := classWork(t, dir, "grades", "kcna"); err == nil || !strings.Contains(stderr, "has no kcnaprep.db") {
		t.Errorf("grades without a database: %v %q", err, stderr)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, app.Config{DataDir: dir}.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	teacher, err := db.CreateUser(ctx, "teacher", "Teacher", domain.RoleInstructor)
	if err != nil {
		t.Fatal(err)
	}
	ana, err := db.CreateUser(ctx, "ana", "Ana Lima", domain.RoleLearner)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClass(ctx, &domain.Class{ID: "kcna", Title: "KCNA", Sections: []string{"mon"}}, teacher.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.AddClassMember(ctx, "kcna", ana.ID, domain.ClassStudent, "mon"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, stderr, err := classWork(t, dir, "assign", "kcna", "--kind", "exam", "--title", "Mock 1", "--attempts", "2", "--due", "2030-01-15T18:00", "--tz", "Europe/Berlin")
	if err != nil || !strings.Contains(out, "Mock 1, due 2030-01-15T17:00:00Z") {
		t.Fatalf("assign exam: %v %q %q", err, out, stderr)
	}
	if out, stderr, err := classWork(t, dir, "assign", "kcna", "--kind", "lab", "--ref", "deployment-scale", "--section", "mon", "--opens", "2030-01-01", "--due", "2030-01-20"); err != nil {
		t.Fatalf("assign lab: %v %q %q", err, out, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"assign", "kcna", "--kind", "exam"}, "due time"},
		{[]string{"assign", "kcna", "--kind", "exam", "--due", "soon"}, `"soon" is not a time`},
		{[]string{"assign", "kcna", "--kind", "lab", "--ref", "nope", "--due", "2030-01-20"}, "Name one lab"},
		{[]string{"assign", "nope", "--kind", "exam", "--due", "2030-01-20"}, "No such class"},
		{[]string{"grades", "kcna", "--format", "xml"}, "use csv or json"},
		{[]string{"frobnicate", "kcna"}, "unknown class command"},
	} {
		if _, stderr, err := classWork(t, dir, tc.args...); err == nil || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: %v %q, want %q", tc.args, err, stderr, tc.want)
		}
	}
	out, _, err = classWork(t, dir, "grades", "kcna", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 || strings.Join(recs[0], ",") != "username,name,section,Mock 1,Lab: Scale a Deployment" && !strings.HasPrefix(strings.Join(recs[0], ","), "username,name,section,Mock 1,Lab: ") ||
		strings.Join(recs[1], ",") != "ana,Ana Lima,mon,not started,not started" {
		t.Errorf("grades CSV %q %v", recs, err)
	}
	out, _, err = classWork(t, dir, "grades", "kcna", "--format", "json")
	var g struct {
		Assignments []struct{ Title string }
		Students    []struct{ Username string }
	}
	if err != nil || json.Unmarshal([]byte(out), &g) != nil || len(g.Assignments) != 2 || len(g.Students) != 1 {
		t.Errorf("grades JSON: %v %s", err, out)
	}
}

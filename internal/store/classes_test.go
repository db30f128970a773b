package store_test

import (
	"context"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

func TestClassMembership(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t, nil)
	teacher := testenv.MustCreateUser(t, db, "teacher", domain.RoleInstructor)
	ana := testenv.MustCreateUser(t, db, "ana", domain.RoleLearner)

	c := &domain.Class{ID: "kcna-fall", Title: "KCNA, fall", Sections: []string{"b", "a"}}
	if err := db.CreateClass(ctx, c, teacher.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClass(ctx, &domain.Class{ID: "kcna-fall", Title: "again"}, teacher.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second class with the same id: %v, want conflict", err)
	}
	if err := db.CreateClass(ctx, &domain.Class{ID: "Bad Id", Title: "x"}, teacher.ID); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad id: %v, want invalid", err)
	}
	got, err := db.ClassByID(ctx, "kcna-fall")
	if err != nil || got.Title != "KCNA, fall" || len(got.Sections) != 2 || got.Sections[0] != "a" {
		t.Fatalf("class: %+v %v", got, err)
	}
	// Joining twice (a double click) leaves one membership; an unknown section is refused.
	for range 2 {
		if err := db.AddClassMember(ctx, c.ID, ana.ID, domain.ClassStudent, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddClassMember(ctx, c.ID, ana.ID, domain.ClassStudent, "zz"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown section: %v, want invalid", err)
	}
	ms, err := db.ClassMembers(ctx, c.ID)
	if err != nil || len(ms) != 2 || ms[0].Role != domain.ClassInstructor || ms[1].User.Username != "ana" || ms[1].Section != "a" {
		t.Fatalf("members: %+v %v", ms, err)
	}
	if r, err := db.ClassRoleOf(ctx, c.ID, ana.ID); err != nil || r != domain.ClassStudent {
		t.Errorf("ana's role: %q %v", r, err)
	}
	if err := db.RemoveClassMember(ctx, c.ID, ana.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClassRoleOf(ctx, c.ID, ana.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("removed member's role: %v, want not found", err)
	}
	if cs, err := db.ClassesOf(ctx, teacher.ID); err != nil || len(cs) != 1 {
		t.Errorf("teacher's classes: %v %v", cs, err)
	}
}

package study_test

import (
	"context"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/study"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// An instructor sees and resolves the reports of their own classes' students only; an admin
// sees all; a learner none.
func TestReportsAreScopedToTheInstructorsClasses(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t, nil)
	svc := study.New(nil, db)
	admin := testenv.MustCreateUser(t, db, "root", domain.RoleAdmin)
	kim := testenv.MustCreateUser(t, db, "kim", domain.RoleInstructor)
	lou := testenv.MustCreateUser(t, db, "lou", domain.RoleInstructor)
	ana := testenv.MustCreateUser(t, db, "ana", domain.RoleLearner)
	bo := testenv.MustCreateUser(t, db, "bo", domain.RoleLearner)
	for _, c := range []struct {
		id      string
		teacher *domain.User
		student *domain.User
	}{{"kims", kim, ana}, {"lous", lou, bo}} {
		if err := db.CreateClass(ctx, &domain.Class{ID: c.id, Title: c.id}, c.teacher.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.AddClassMember(ctx, c.id, c.student.ID, domain.ClassStudent, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.AddReport(ctx, ana.ID, "q-1", "wrong-key", "ana's"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddReport(ctx, bo.ID, "q-1", "wrong-key", "bo's"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddReport(ctx, bo.ID, "q-1", "nonsense", ""); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown kind: %v, want invalid", err)
	}
	seen := func(viewer *domain.User) []string {
		rs, err := svc.Reports(ctx, viewer, true)
		if err != nil {
			t.Fatalf("%s lists reports: %v", viewer.Username, err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.Message)
		}
		return out
	}
	if got := seen(admin); len(got) != 2 {
		t.Errorf("admin sees %v, want both reports", got)
	}
	if got := seen(kim); len(got) != 1 || got[0] != "ana's" {
		t.Errorf("kim sees %v, want only her student's report", got)
	}
	if _, err := svc.Reports(ctx, ana, false); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a learner lists reports: %v, want forbidden", err)
	}
	bos, _ := svc.Reports(ctx, lou, false)
	if err := svc.ResolveReport(ctx, kim, bos[0].ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("kim resolves lou's student's report: %v, want not found", err)
	}
	if err := svc.ResolveReport(ctx, lou, bos[0].ID); err != nil {
		t.Errorf("lou resolves his student's report: %v", err)
	}
}

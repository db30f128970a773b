package classroom_test

import (
	"context"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

type fixture struct {
	ctx                           context.Context
	clk                           *testenv.Clock
	db                            *store.DB
	svc                           *classroom.Service
	tr                            *trainer.Service
	teacher, ana, ben, eve, other *domain.User
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	over := map[string]string{
		"quizzes/alpha/one.yaml": testcontent.Questions("alpha", "one", "al-one", 1, 12, ""),
		"quizzes/beta/two.yaml":  testcontent.Questions("beta", "two", "be-two", 101, 8, ""),
	}
	for k, v := range testcontent.LabFilesWithoutSetup("scale-web") {
		over[k] = v
	}
	c := testenv.MustLoadContent(t, over)
	clk := testenv.NewClock(t0)
	db := testenv.MustOpenDB(t, clk)
	svc := classroom.New(c.Catalog, db, classroom.WithClock(clk.Now))
	f := &fixture{ctx: context.Background(), clk: clk, db: db,
		svc: svc, tr: trainer.New(c.Catalog, db, trainer.WithSeed(1, 2), trainer.WithOutside(svc)),
		teacher: testenv.MustCreateUser(t, db, "teacher", domain.RoleInstructor),
		ana:     testenv.MustCreateUser(t, db, "ana", domain.RoleLearner),
		ben:     testenv.MustCreateUser(t, db, "ben", domain.RoleLearner),
		eve:     testenv.MustCreateUser(t, db, "eve", domain.RoleLearner),
		other:   testenv.MustCreateUser(t, db, "other", domain.RoleInstructor),
	}
	if err := db.CreateClass(f.ctx, &domain.Class{ID: "kcna", Title: "KCNA", Sections: []string{"a", "b"}}, f.teacher.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClass(f.ctx, &domain.Class{ID: "other", Title: "Other"}, f.other.ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		u   *domain.User
		sec string
	}{{f.ana, "a"}, {f.ben, "b"}} {
		if err := db.AddClassMember(f.ctx, "kcna", m.u.ID, domain.ClassStudent, m.sec); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddClassMember(f.ctx, "other", f.eve.ID, domain.ClassStudent, ""); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) assign(t *testing.T, na classroom.NewAssignment) *domain.Assignment {
	t.Helper()
	a, err := f.svc.Assign(f.ctx, f.teacher, "kcna", na)
	if err != nil {
		t.Fatalf("assign %+v: %v", na, err)
	}
	return a
}

// take starts (or resumes) an attempt, answers the first n questions right and submits.
func (f *fixture) take(t *testing.T, u *domain.User, a *domain.Assignment, right int) domain.Exam {
	t.Helper()
	ex, err := f.svc.StartExam(f.ctx, u, "kcna", a.ID)
	if err != nil {
		t.Fatalf("%s starts %s: %v", u.Username, a.Title, err)
	}
	st, err := f.tr.Exam(f.ctx, u.ID, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range st.Items[:right] {
		var picked []int
		for j, ch := range it.Question.Choices {
			if ch.Correct {
				picked = append(picked, j)
			}
		}
		if err := f.tr.SaveAnswer(f.ctx, u.ID, ex.ID, i+1, picked); err != nil {
			t.Fatal(err)
		}
	}
	ex, err = f.tr.Submit(f.ctx, u.ID, ex.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func cell(t *testing.T, g *classroom.Gradebook, username string, aid int64) classroom.GradeCell {
	t.Helper()
	for _, r := range g.Rows {
		if r.Member.User.Username != username {
			continue
		}
		for i, a := range g.Assignments {
			if a.ID == aid {
				return r.Cells[i]
			}
		}
	}
	t.Fatalf("no cell for %s on %d", username, aid)
	return classroom.GradeCell{}
}

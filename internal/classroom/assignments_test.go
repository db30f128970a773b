package classroom_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
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

func TestAssignRefusesStrangersAndBadInput(t *testing.T) {
	f := newFixture(t)
	due := t0.Add(48 * time.Hour)
	ok := classroom.NewAssignment{Kind: domain.AssignExam, DueAt: due}
	for _, u := range []*domain.User{f.ana, f.other, f.eve, nil} {
		if _, err := f.svc.Assign(f.ctx, u, "kcna", ok); !errors.Is(err, classroom.ErrNoClass) {
			t.Errorf("%v assigns: %v, want no such class", u, err)
		}
	}
	for _, tc := range []struct {
		na   classroom.NewAssignment
		want string
	}{
		{classroom.NewAssignment{Kind: "quiz", DueAt: due}, "kind"},
		{classroom.NewAssignment{Kind: domain.AssignExam}, "due time"},
		{classroom.NewAssignment{Kind: domain.AssignExam, DueAt: due, OpensAt: due.Add(time.Hour)}, "open before"},
		{classroom.NewAssignment{Kind: domain.AssignLab, Ref: "nope", DueAt: due}, "scale-web"},
		{classroom.NewAssignment{Kind: domain.AssignLessons, Ref: "gamma", DueAt: due}, "gamma"},
		{classroom.NewAssignment{Kind: domain.AssignPractice, Ref: "alpha", Count: 99, DueAt: due}, "Only 12"},
		{classroom.NewAssignment{Kind: domain.AssignExam, Grading: "best", DueAt: due}, "highest, last or first"},
		{classroom.NewAssignment{Kind: domain.AssignExam, Section: "zz", DueAt: due}, "no section"},
	} {
		_, err := f.svc.Assign(f.ctx, f.teacher, "kcna", tc.na)
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), tc.want) {
			t.Errorf("assign %+v: %v, want invalid mentioning %q", tc.na, err, tc.want)
		}
	}
	if as, err := f.svc.Assignments(f.ctx, f.teacher, "kcna"); err != nil || len(as) != 0 {
		t.Errorf("refused assignments left rows: %v %v", as, err)
	}
	// Practice: hand-picked ids stay as given; a domain draws N of its questions.
	p := f.assign(t, classroom.NewAssignment{Kind: domain.AssignPractice, Ref: "be-two-101, al-one-001", DueAt: due})
	if strings.Join(p.Items, ",") != "be-two-101,al-one-001" {
		t.Errorf("hand-picked practice items: %v", p.Items)
	}
	p = f.assign(t, classroom.NewAssignment{Kind: domain.AssignPractice, Ref: "two", Count: 5, DueAt: due})
	if len(p.Items) != 5 || !strings.HasPrefix(p.Items[0], "be-two-") {
		t.Errorf("drawn practice items: %v", p.Items)
	}
}

func TestExamAttemptsWindowAndReviewInTheDatabase(t *testing.T) {
	f := newFixture(t)
	a := f.assign(t, classroom.NewAssignment{Kind: domain.AssignExam, Count: 4, Minutes: 20, Attempts: 2,
		Grading: domain.GradeHighest, Review: domain.ReviewAfterDue, OpensAt: t0.Add(time.Hour), DueAt: t0.Add(3 * time.Hour)})

	if _, err := f.svc.StartExam(f.ctx, f.ana, "kcna", a.ID); !strings.Contains(domain.ErrorMessage(err), "not open") {
		t.Fatalf("start before it opens: %v", err)
	}
	if _, err := f.svc.StartExam(f.ctx, f.eve, "kcna", a.ID); !errors.Is(err, classroom.ErrNoClass) {
		t.Fatalf("another class's student starts: %v", err)
	}
	// The store refuses what the service would: nobody outside the audience gets an exam.
	if _, err := f.db.CreateAssignmentExam(f.ctx, f.eve.ID, a.ID, domain.NewExam{Minutes: 1, MaxScore: 1000, PassScore: 750,
		Questions: []domain.NewExamQuestion{{QuestionID: "al-one-001", ChoiceOrder: []int{0, 1, 2}}}}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("store: exam for a stranger: %v", err)
	}
	f.clk.Add(time.Hour)

	// Parallel starts land on one exam (the one-open-exam index), not several attempts.
	ids := make([]int64, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			ex, err := f.svc.StartExam(f.ctx, f.ana, "kcna", a.ID)
			if err != nil {
				t.Errorf("parallel start: %v", err)
			}
			ids[i] = ex.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("parallel starts made several exams: %v", ids)
		}
	}
	ex := f.take(t, f.ana, a, 3)
	if ex.AssignmentID != a.ID || !ex.ReviewHidden(f.clk.Now()) {
		t.Errorf("assignment exam: %+v, want linked and its review hidden until due", ex)
	}
	ex2 := f.take(t, f.ana, a, 1)
	if ex2.ID == ex.ID || ex2.Score >= ex.Score {
		t.Fatalf("second attempt %+v after %+v", ex2, ex)
	}
	// No third attempt, however many ask at once: the trigger counts inside the insert.
	var refused sync.WaitGroup
	for range 6 {
		refused.Go(func() {
			if _, err := f.svc.StartExam(f.ctx, f.ana, "kcna", a.ID); !strings.Contains(domain.ErrorMessage(err), "all 2 attempts") {
				t.Errorf("third attempt: %v", err)
			}
		})
	}
	refused.Wait()

	g, err := f.svc.Gradebook(f.ctx, f.teacher, "kcna")
	if err != nil {
		t.Fatal(err)
	}
	c := cell(t, g, "ana", a.ID)
	if c.Work.Status != domain.WorkDone || c.Work.Score != 75 || c.Work.Attempts != 2 || c.Text() != "75%" {
		t.Errorf("ana's cell (highest of 75%% and 25%%): %+v %q", c.Work, c.Text())
	}
	if c := cell(t, g, "ben", a.ID); c.Work.Status != domain.WorkNotStarted || c.Text() != "not started" {
		t.Errorf("ben's cell: %+v %q", c.Work, c.Text())
	}

	// Late work is taken and marked late.
	f.clk.Add(3 * time.Hour)
	ex3 := f.take(t, f.ben, a, 4)
	if ex3.ReviewHidden(f.clk.Now()) || ex.ReviewHidden(f.clk.Now()) {
		t.Errorf("review still hidden after the due time")
	}
	g, _ = f.svc.Gradebook(f.ctx, f.teacher, "kcna")
	if c := cell(t, g, "ben", a.ID); c.Work.Status != domain.WorkLate || c.Text() != "100% late" {
		t.Errorf("ben's late cell: %+v %q", c.Work, c.Text())
	}
}

func TestGradingLastAndReviewNever(t *testing.T) {
	f := newFixture(t)
	a := f.assign(t, classroom.NewAssignment{Kind: domain.AssignExam, Count: 4, Minutes: 20, Attempts: 0,
		Grading: domain.GradeLast, Review: domain.ReviewNever, DueAt: t0.Add(time.Hour)})
	f.take(t, f.ana, a, 4)
	f.take(t, f.ana, a, 2)
	last := f.take(t, f.ana, a, 1)
	f.clk.Add(400 * 24 * time.Hour)
	if !last.ReviewHidden(f.clk.Now()) {
		t.Error("review 'never' shows answers a year later")
	}
	// A review card shows the answer: a class exam that never shows answers queues none.
	if cards, err := f.db.DueCards(f.ctx, f.ana.ID, 100); err != nil || len(cards) != 0 {
		t.Errorf("review 'never': %d review cards due for missed questions (%v), want none", len(cards), err)
	}
	g, _ := f.svc.Gradebook(f.ctx, f.teacher, "kcna")
	if c := cell(t, g, "ana", a.ID); c.Work.Score != 25 || c.Work.Attempts != 3 {
		t.Errorf("last attempt counts: %+v", c.Work)
	}
}

func TestLiveWindowAndExtraTime(t *testing.T) {
	f := newFixture(t)
	a := f.assign(t, classroom.NewAssignment{Kind: domain.AssignExam, Count: 4, Minutes: 60, DueAt: t0.Add(24 * time.Hour)})
	if err := f.svc.OpenLive(f.ctx, f.ana, "kcna", a.ID, 30); !errors.Is(err, classroom.ErrNoClass) {
		t.Fatalf("a student opens the window: %v", err)
	}
	if err := f.svc.OpenLive(f.ctx, f.teacher, "kcna", a.ID, 30); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Accommodate(f.ctx, f.teacher, "kcna", a.ID, f.ben.ID, 15); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Accommodate(f.ctx, f.teacher, "kcna", a.ID, f.eve.ID, 15); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("extra time for another class's student: %v", err)
	}
	f.clk.Add(10 * time.Minute)
	exA, err := f.svc.StartExam(f.ctx, f.ana, "kcna", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	exB, err := f.svc.StartExam(f.ctx, f.ben, "kcna", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The window (30 min) cuts the 60-minute limit; ben's 15 extra minutes extend both.
	if want := t0.Add(30 * time.Minute); !exA.Deadline.Equal(want) {
		t.Errorf("ana's deadline %v, want the window's end %v", exA.Deadline, want)
	}
	if want := t0.Add(45 * time.Minute); !exB.Deadline.Equal(want) {
		t.Errorf("ben's deadline %v, want %v", exB.Deadline, want)
	}
	// More time during the exam moves the deadline the server judges by.
	if err := f.svc.Accommodate(f.ctx, f.teacher, "kcna", a.ID, f.ana.ID, 20); err != nil {
		t.Fatal(err)
	}
	f.clk.Add(25 * time.Minute) // 35 min in: past the window, inside ana's 20 extra minutes
	if err := f.tr.SaveAnswer(f.ctx, f.ana.ID, exA.ID, 1, []int{0}); err != nil {
		t.Errorf("answer inside the extra time: %v", err)
	}
	live, err := f.svc.Live(f.ctx, f.teacher, "kcna", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	started, submitted := live.Counts()
	if started != 2 || submitted != 0 || live.Rows[0].Username != "ana" || live.Rows[0].Answered != 1 || live.Rows[0].ExtraMinutes != 20 {
		t.Errorf("live view: %d started, %d submitted, %+v", started, submitted, live.Rows)
	}
	f.clk.Add(20 * time.Minute)
	if err := f.tr.SaveAnswer(f.ctx, f.ana.ID, exA.ID, 2, []int{0}); !errors.Is(err, domain.ErrExamOver) {
		t.Errorf("answer after the extra time: %v", err)
	}
	if _, err := f.tr.Submit(f.ctx, f.ben.ID, exB.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.StartExam(f.ctx, f.ben, "kcna", a.ID); !strings.Contains(domain.ErrorMessage(err), "not open") && !strings.Contains(domain.ErrorMessage(err), "attempts") {
		t.Errorf("start after the window: %v", err)
	}
}

func TestLessonsPracticeLabAndExports(t *testing.T) {
	f := newFixture(t)
	due := t0.Add(2 * time.Hour)
	les := f.assign(t, classroom.NewAssignment{Kind: domain.AssignLessons, Ref: "alpha", DueAt: due})
	pr := f.assign(t, classroom.NewAssignment{Kind: domain.AssignPractice, Ref: "al-one-001 al-one-002", Section: "a", DueAt: due})
	lab := f.assign(t, classroom.NewAssignment{Kind: domain.AssignLab, Ref: "scale-web", DueAt: due})

	f.clk.Add(time.Minute)
	if err := f.db.SetLessonComplete(f.ctx, f.ana.ID, "alpha/01-first", true); err != nil {
		t.Fatal(err)
	}
	mine, err := f.svc.MyAssignments(f.ctx, f.ana)
	if err != nil || len(mine) != 3 {
		t.Fatalf("ana's assignments: %+v %v", mine, err)
	}
	if mine[0].Assignment.ID != les.ID || mine[0].Work.Status != domain.WorkInProgress || mine[0].Work.Progress != 1 {
		t.Errorf("lessons half read: %+v", mine[0].Work)
	}
	if bens, _ := f.svc.MyAssignments(f.ctx, f.ben); len(bens) != 2 {
		t.Errorf("ben sees %d assignments, want 2 (the practice is section a's)", len(bens))
	}
	if _, err := f.svc.MyAssignment(f.ctx, f.ben, "kcna", pr.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("ben opens section a's practice: %v", err)
	}
	if err := f.db.SetLessonComplete(f.ctx, f.ana.ID, "alpha/02-second", true); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		id string
		ok bool
	}{{"al-one-001", true}, {"al-one-002", false}, {"al-one-002", true}} {
		if _, err := f.db.RecordAnswer(f.ctx, f.ana.ID, domain.AnswerRecord{QuestionID: q.id, Picked: []int{0}, Correct: q.ok, Source: domain.SourcePractice}); err != nil {
			t.Fatal(err)
		}
	}
	// The lab: a failing check, then all passing, then failing again: passed stays passed.
	if err := f.db.CreateLabSession(f.ctx, &domain.LabSession{ID: "s1", UserID: f.ana.ID, LabID: "scale-web", Backend: "fake"}); err != nil {
		t.Fatal(err)
	}
	report := func(passed bool) {
		t.Helper()
		rep := &domain.LabReport{Tasks: []domain.LabTaskResult{{ID: "t", Checks: []domain.LabCheckResult{{ID: "a", Passed: true}, {ID: "b", Passed: passed}}}}}
		if err := f.db.SaveLabReport(f.ctx, f.ana.ID, "s1", rep); err != nil {
			t.Fatal(err)
		}
	}
	report(false)
	g, _ := f.svc.Gradebook(f.ctx, f.teacher, "kcna")
	if c := cell(t, g, "ana", lab.ID); c.Work.Status != domain.WorkInProgress {
		t.Errorf("lab with a failing check: %+v", c.Work)
	}
	f.clk.Add(3 * time.Hour) // past due
	report(true)
	report(false)

	g, err = f.svc.Gradebook(f.ctx, f.teacher, "kcna")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		aid  int64
		text string
	}{
		{"ana", les.ID, "100%"}, {"ana", pr.ID, "50%"}, {"ana", lab.ID, "100% late"},
		{"ben", les.ID, "not started"}, {"ben", pr.ID, "-"}, {"ben", lab.ID, "not started"},
	} {
		if got := cell(t, g, tc.user, tc.aid).Text(); got != tc.text {
			t.Errorf("%s on %d: %q, want %q", tc.user, tc.aid, got, tc.text)
		}
	}
	if g.Rows[0].LastActivity.IsZero() || !g.Rows[1].LastActivity.IsZero() {
		t.Errorf("last activity: ana %v, ben %v", g.Rows[0].LastActivity, g.Rows[1].LastActivity)
	}
	if ps, _ := f.db.LabPasses(f.ctx, f.ana.ID); len(ps) != 1 || ps[0].LabID != "scale-web" {
		t.Errorf("lab passes: %+v", ps)
	}

	var buf bytes.Buffer
	if err := g.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"username", "name", "section", les.Title, pr.Title, lab.Title},
		{"ana", "ana", "a", "100%", "50%", "100% late"},
		{"ben", "ben", "b", "not started", "-", "not started"},
	}
	if len(recs) != 3 || strings.Join(recs[0], "|") != strings.Join(want[0], "|") || strings.Join(recs[1], "|") != strings.Join(want[1], "|") ||
		strings.Join(recs[2], "|") != strings.Join(want[2], "|") {
		t.Errorf("CSV:\n%q\nwant\n%q", recs, want)
	}
	buf.Reset()
	if err := g.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Students []struct {
			Username string
			Work     []struct {
				Status string
				Score  *int
				Late   bool
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Students) != 2 || len(js.Students[0].Work) != 3 || !js.Students[0].Work[2].Late || len(js.Students[1].Work) != 2 || js.Students[1].Work[0].Score != nil {
		t.Errorf("JSON: %s", buf.String())
	}

	h, err := f.svc.HeatMap(f.ctx, f.teacher, "kcna")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Columns) != 3 || h.Rows[0].ID != "one" || h.Rows[0].Cells[0] != (classroom.Tally{Correct: 2, Total: 3}) || h.Rows[0].Cells[2].Total != 0 {
		t.Errorf("heat map: %+v", h)
	}
	rep, err := f.svc.Student(f.ctx, f.teacher, "kcna", f.ana.ID)
	if err != nil || len(rep.Competencies) != 1 || rep.Competencies[0].Percent() != 67 || len(rep.LabsPassed) != 1 {
		t.Errorf("student report: %+v %v", rep, err)
	}
	for _, u := range []*domain.User{f.other, f.ben} {
		if _, err := f.svc.Student(f.ctx, u, "kcna", f.ana.ID); !errors.Is(err, classroom.ErrNoClass) {
			t.Errorf("%s reads ana's report: %v", u.Username, err)
		}
	}
	if _, err := f.svc.Student(f.ctx, f.teacher, "kcna", f.eve.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("report on another class's student: %v", err)
	}
}

// ownGIFT is three questions of a class's own: one that names a competency of the test
// curriculum in its category, two that name none.
const ownGIFT = `$CATEGORY: kcna/alpha/one

::Own one::Which port does our demo app listen on? {
=8080 # It is set in the Deployment.
~80 # That is the Service's port.
~443 # Nothing here serves TLS.
}

$CATEGORY: kcna/misc

::Own two::Our cluster runs which CNI? {
=Cilium # Installed by the course's script.
~Flannel # Not in this course.
~Calico # Not in this course.
}

::Own three::The course cluster has three nodes. {TRUE # Count them with kubectl get nodes.}
`

// TestClassQuestionsInPracticeAndExams: a class's own questions go into practice sets and
// class exams, are scored and reviewed like the bank's, and only the class's members can see
// them.
func TestClassQuestionsInPracticeAndExams(t *testing.T) {
	f := newFixture(t)
	due := t0.Add(48 * time.Hour)

	// Before the upload, an exam of the class's own questions has nothing to draw.
	if _, err := f.svc.Assign(f.ctx, f.teacher, "kcna", classroom.NewAssignment{Kind: domain.AssignExam, Source: domain.SourceOwn, DueAt: due}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("own-question exam before any upload: %v, want EINVALID", err)
	}
	if rep, err := f.svc.ImportQuestions(f.ctx, f.teacher, "kcna", strings.NewReader(ownGIFT)); err != nil || rep.Created != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if rep, err := f.svc.ImportQuestions(f.ctx, f.other, "other", strings.NewReader(ownGIFT)); err != nil || rep.Created != 3 {
		t.Fatalf("import into the other class: %+v %v", rep, err)
	}
	mine, _ := f.svc.QuestionList(f.ctx, f.teacher, "kcna")
	theirs, _ := f.svc.QuestionList(f.ctx, f.other, "other")
	cq := mine[0].QuestionID()

	// Practice: hand-picked own ids and a draw from "own"; another class's question is refused.
	if _, err := f.svc.Assign(f.ctx, f.teacher, "kcna", classroom.NewAssignment{Kind: domain.AssignPractice, Ref: theirs[0].QuestionID(), DueAt: due}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("practice with another class's question: %v, want EINVALID", err)
	}
	p := f.assign(t, classroom.NewAssignment{Kind: domain.AssignPractice, Ref: cq + " own al-one-001", Count: 3, DueAt: due})
	if len(p.Items) != 3 || p.Items[0] != cq || p.Items[1] != "al-one-001" || !strings.HasPrefix(p.Items[2], "cq-") || p.Items[2] == cq {
		t.Errorf("practice items %v: want %s, al-one-001, then one more own question", p.Items, cq)
	}

	// A member answers it; a student of another class cannot see or answer it.
	q, err := f.tr.Question(f.ctx, f.ana.ID, cq)
	if err != nil || q.Stem != mine[0].Stem {
		t.Fatalf("ana's view of %s: %v %v", cq, q, err)
	}
	fb, err := f.tr.AnswerPractice(f.ctx, f.ana.ID, cq, []int{wrongChoice(q)}, "tok-1", "practice")
	if err != nil || fb.Correct {
		t.Fatalf("ana answers %s wrongly: %+v %v", cq, fb, err)
	}
	if _, err := f.tr.Card(f.ctx, f.ana.ID, cq); err != nil {
		t.Errorf("the miss on %s was not queued for review: %v", cq, err)
	}
	for _, u := range []*domain.User{f.eve, f.other} {
		if _, err := f.tr.Question(f.ctx, u.ID, cq); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s sees %s of another class: %v", u.Username, cq, err)
		}
		if _, err := f.tr.AnswerPractice(f.ctx, u.ID, cq, []int{0}, "tok-"+u.Username, "practice"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s answers %s of another class: %v", u.Username, cq, err)
		}
	}

	// An exam of the class's own questions only: every item is one of them, scored as usual,
	// and the result shows them as their own area.
	own := f.assign(t, classroom.NewAssignment{Kind: domain.AssignExam, Source: domain.SourceOwn, Attempts: 0, Review: domain.ReviewImmediately, DueAt: due})
	if own.Questions != 3 || own.Source != domain.SourceOwn {
		t.Fatalf("own-question exam: %d questions from %q, want 3 from own", own.Questions, own.Source)
	}
	ex := f.take(t, f.ben, own, 2)
	res, err := f.tr.Result(f.ctx, f.ben.ID, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 3 || res.Score.Correct != 2 || res.Score.Total != 3 {
		t.Fatalf("result: %d items, %d of %d right; want 3 items, 2 of 3", len(res.Items), res.Score.Correct, res.Score.Total)
	}
	areas := map[string]int{}
	for _, it := range res.Items {
		if !strings.HasPrefix(it.Question.ID, "cq-") {
			t.Errorf("bank question %s in an own-question exam", it.Question.ID)
		}
	}
	for _, d := range res.Score.Domains {
		areas[d.ID] = d.Tally.Total
	}
	if areas["alpha"] != 1 || areas[catalog.OwnDomain.ID] != 2 {
		t.Errorf("result areas %v: want alpha 1 (the question naming alpha/one) and own 2", areas)
	}

	// Both: all the class's own questions and the rest from the bank.
	both := f.assign(t, classroom.NewAssignment{Kind: domain.AssignExam, Source: domain.SourceBoth, Count: 7, DueAt: due})
	ex, err = f.svc.StartExam(f.ctx, f.ana, "kcna", both.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.tr.Exam(f.ctx, f.ana.ID, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	var nOwn, nBank int
	for _, it := range st.Items {
		if strings.HasPrefix(it.Question.ID, "cq-") {
			nOwn++
		} else {
			nBank++
		}
	}
	if nOwn != 3 || nBank != 4 {
		t.Errorf("mixed exam: %d own and %d bank questions, want 3 and 4", nOwn, nBank)
	}
	if _, err := f.svc.Assign(f.ctx, f.teacher, "kcna", classroom.NewAssignment{Kind: domain.AssignExam, Source: domain.SourceOwn, Count: 4, DueAt: due}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("4 questions from 3 own: %v, want EINVALID", err)
	}
	if _, err := f.svc.Assign(f.ctx, f.teacher, "kcna", classroom.NewAssignment{Kind: domain.AssignExam, Source: "theirs", DueAt: due}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown source: %v, want EINVALID", err)
	}

	// Removed from the class, the student no longer sees its questions.
	if err := f.svc.RemoveStudent(f.ctx, f.teacher, "kcna", f.ben.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tr.Question(f.ctx, f.ben.ID, cq); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a removed student still sees %s: %v", cq, err)
	}
}

func wrongChoice(q *catalog.Question) int {
	for i, c := range q.Choices {
		if !c.Correct {
			return i
		}
	}
	return -1
}

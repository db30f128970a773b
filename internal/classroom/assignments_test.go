package classroom_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

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

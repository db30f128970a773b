package trainer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
	"github.com/kcnaprep/kcnaprep/internal/srs"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
)

type fixture struct {
	svc  *trainer.Service
	db   *store.DB
	cat  *catalog.Catalog
	clk  *testenv.Clock
	a, b int64
	ctx  context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := testenv.MustLoadContent(t, map[string]string{
		"quizzes/alpha/one.yaml": testcontent.Questions("alpha", "one", "al-one", 1, 12, ""),
		"quizzes/beta/two.yaml":  testcontent.Questions("beta", "two", "be-two", 101, 8, ""),
	})
	clk := testenv.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	db := testenv.MustOpenDB(t, clk)
	a := testenv.MustLocalUser(t, db)
	b := testenv.MustCreateUser(t, db, "b", domain.RoleLearner)
	return &fixture{svc: trainer.New(c.Catalog, db, trainer.WithSeed(1, 2)), db: db, cat: c.Catalog, clk: clk, a: a.ID, b: b.ID, ctx: context.Background()}
}

func TestExamLifecycle(t *testing.T) {
	f := newFixture(t)
	ex, err := f.svc.StartExam(f.ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	// curriculum: 4 questions, 10 minutes, pass 750; weights 60/40 -> alpha 2 (2.4), beta 2 (1.6)
	if ex.Total != 4 || ex.Minutes != 10 || !ex.Deadline.Equal(f.clk.Now().Add(10*time.Minute)) {
		t.Fatalf("exam = %+v", ex)
	}
	again, _ := f.svc.StartExam(f.ctx, f.a)
	if again.ID != ex.ID {
		t.Fatal("starting again did not resume the exam in progress")
	}
	st, err := f.svc.Exam(f.ctx, f.a, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	domains := map[string]int{}
	for _, it := range st.Items {
		domains[it.Question.Domain.ID]++
		if len(it.ChoiceOrder) != len(it.Question.Choices) {
			t.Errorf("choice order %v", it.ChoiceOrder)
		}
	}
	if domains["alpha"] != 2 || domains["beta"] != 2 {
		t.Errorf("domains = %v", domains)
	}
	// Answer 1 and 2 right, 3 wrong, leave 4; answer 1 twice (idempotent).
	right := func(it trainer.ExamItem) []int { return it.Question.Correct() }
	for _, p := range []int{1, 1, 2} {
		if err := f.svc.SaveAnswer(f.ctx, f.a, ex.ID, p, right(st.Items[p-1])); err != nil {
			t.Fatal(err)
		}
	}
	wrong := []int{(st.Items[2].Question.Correct()[0] + 1) % len(st.Items[2].Question.Choices)}
	if err := f.svc.SaveAnswer(f.ctx, f.a, ex.ID, 3, wrong); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Flag(f.ctx, f.a, ex.ID, 4, true); err != nil {
		t.Fatal(err)
	}
	// Invalid selections are refused.
	if err := f.svc.SaveAnswer(f.ctx, f.a, ex.ID, 1, []int{0, 1}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("two picks on a single question: %v", err)
	}
	if err := f.svc.SaveAnswer(f.ctx, f.a, ex.ID, 1, []int{9}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("out of range pick: %v", err)
	}
	// Another learner cannot see or answer it.
	if _, err := f.svc.Exam(f.ctx, f.b, ex.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("other user sees exam: %v", err)
	}
	if err := f.svc.SaveAnswer(f.ctx, f.b, ex.ID, 1, []int{0}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("other user answers exam: %v", err)
	}
	for _, pos := range []int{0, len(st.Items) + 1} {
		if err := f.svc.SaveAnswer(f.ctx, f.a, ex.ID, pos, []int{0}); domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(err.Error(), "has no question") {
			t.Errorf("answer at position %d: %v", pos, err)
		}
	}
	st, _ = f.svc.Exam(f.ctx, f.a, ex.ID)
	if st.Answered() != 3 || !st.Items[3].Flagged {
		t.Errorf("answered %d, flagged %v", st.Answered(), st.Items[3].Flagged)
	}
	if _, err := f.svc.Result(f.ctx, f.a, ex.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("result of a running exam: %v", err)
	}
	// The deadline passes: a late answer is refused and the exam is submitted.
	f.clk.Add(10*time.Minute + time.Second)
	err = f.svc.SaveAnswer(f.ctx, f.a, ex.ID, 4, right(st.Items[3]))
	if domain.ErrorCode(err) != domain.EGONE {
		t.Fatalf("late answer: %v", err)
	}
	res, err := f.svc.Result(f.ctx, f.a, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Score.Correct != 2 || res.Score.Total != 4 || res.Score.Score != 500 || res.Score.Passed || !res.Exam.AutoSubmitted {
		t.Errorf("result = %+v auto=%v", res.Score.Tally, res.Exam.AutoSubmitted)
	}
	if res.TimeUsed != 10*time.Minute {
		t.Errorf("time used = %v", res.TimeUsed)
	}
	// Missed and answered questions went into the history and the review queue.
	sum, _ := f.svc.ReviewSummary(f.ctx, f.a)
	if sum.DueNow != 2 {
		t.Errorf("review queue = %+v, want the wrong and the unanswered question", sum)
	}
	// A new exam prefers questions not seen in the first one.
	ex2, err := f.svc.StartExam(f.ctx, f.a)
	if err != nil || ex2.ID == ex.ID {
		t.Fatalf("second exam: %v", err)
	}
	st2, _ := f.svc.Exam(f.ctx, f.a, ex2.ID)
	firstIDs := map[string]bool{}
	for _, it := range st.Items {
		firstIDs[it.Question.ID] = true
	}
	for _, it := range st2.Items {
		if firstIDs[it.Question.ID] {
			t.Errorf("second exam repeats question %s although unseen ones exist", it.Question.ID)
		}
	}
	hist, _ := f.svc.History(f.ctx, f.a)
	if len(hist) != 1 || hist[0].Score != 500 {
		t.Errorf("history = %+v", hist)
	}
}

func TestSubmitAndSweeper(t *testing.T) {
	f := newFixture(t)
	ex, _ := f.svc.StartExam(f.ctx, f.a)
	st, _ := f.svc.Exam(f.ctx, f.a, ex.ID)
	for _, it := range st.Items {
		_ = f.svc.SaveAnswer(f.ctx, f.a, ex.ID, it.Position, it.Question.Correct())
	}
	done, err := f.svc.Submit(f.ctx, f.a, ex.ID, false)
	if err != nil || done.Score != 1000 || done.AutoSubmitted {
		t.Fatalf("submit = %+v, %v", done, err)
	}
	again, _ := f.svc.Submit(f.ctx, f.a, ex.ID, true)
	if !again.SubmittedAt.Equal(done.SubmittedAt) || again.AutoSubmitted {
		t.Error("second submit changed the exam")
	}
	if err := f.svc.SaveAnswer(f.ctx, f.a, ex.ID, 1, nil); domain.ErrorCode(err) != domain.EGONE {
		t.Errorf("answer after submit: %v", err)
	}
	// Learner b abandons an exam; the sweeper submits it after the deadline.
	exb, _ := f.svc.StartExam(f.ctx, f.b)
	if n, _ := f.svc.SweepExpired(f.ctx); n != 0 {
		t.Errorf("swept %d before the deadline", n)
	}
	f.clk.Add(11 * time.Minute)
	if n, err := f.svc.SweepExpired(f.ctx); n != 1 || err != nil {
		t.Fatalf("swept %d, %v", n, err)
	}
	got, _ := f.db.Exam(f.ctx, f.b, exb.ID)
	if !got.Submitted() || !got.AutoSubmitted || got.Score != 0 {
		t.Errorf("abandoned exam = %+v", got)
	}
}

func TestPracticeAndReview(t *testing.T) {
	f := newFixture(t)
	q := f.cat.Question("al-one-003")
	wrong := []int{(q.Correct()[0] + 1) % len(q.Choices)}
	for range 2 { // the same form submitted twice
		fb, err := f.svc.AnswerPractice(f.ctx, f.a, q.ID, wrong, "tok-1", domain.SourcePractice)
		if err != nil || fb.Correct {
			t.Fatalf("feedback %+v, %v", fb, err)
		}
	}
	stats, _ := f.db.QuestionStats(f.ctx, f.a)
	if len(stats) != 1 || stats[0].Count != 1 {
		t.Fatalf("stats = %+v: a resubmitted form was recorded twice", stats)
	}
	if _, err := f.svc.AnswerPractice(f.ctx, f.a, q.ID, nil, "", domain.SourcePractice); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("empty answer: %v", err)
	}
	// Practice next: the missed question comes back after the unseen ones are exhausted, and
	// never straight after itself.
	next, err := f.svc.NextPractice(f.ctx, f.a, quiz.Filter{Competency: "one"}, q.ID)
	if err != nil || next.ID == q.ID {
		t.Fatalf("next = %v, %v", next, err)
	}
	// The missed question is due for review for a, not for b.
	due, err := f.svc.NextReview(f.ctx, f.a)
	if err != nil || due.Question.ID != q.ID || due.Card.Reps != 0 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	if _, err := f.svc.NextReview(f.ctx, f.b); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("b has something due: %v", err)
	}
	opts, _ := f.svc.RatingOptions(due.Card)
	if opts[srs.Good-1].Interval <= opts[srs.Hard-1].Interval {
		t.Errorf("rating options = %+v", opts)
	}
	o, err := f.svc.Rate(f.ctx, f.a, q.ID, srs.Good, 0)
	if err != nil || o.Interval < 1 {
		t.Fatalf("rate = %+v, %v", o, err)
	}
	if _, err := f.svc.Rate(f.ctx, f.a, q.ID, srs.Again, 0); err != nil { // resubmitted form: ignored
		t.Fatal(err)
	}
	card, _ := f.db.Card(f.ctx, f.a, q.ID)
	if card.Reps != 1 || !card.Due.Equal(o.Due) {
		t.Errorf("card after rating = %+v, want reps 1 due %v", card, o.Due)
	}
	if _, err := f.svc.NextReview(f.ctx, f.a); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("card still due after Good: %v", err)
	}
	f.clk.Add(time.Duration(o.Interval) * 24 * time.Hour)
	if due, err := f.svc.NextReview(f.ctx, f.a); err != nil || due.Question.ID != q.ID {
		t.Errorf("card not due after its interval: %v", err)
	}
}

func TestReadinessNeedsEvidence(t *testing.T) {
	f := newFixture(t)
	r, _ := f.svc.Readiness(f.ctx, f.a)
	if r.Confidence != "none" || r.Answers != 0 {
		t.Errorf("no answers: %+v", r)
	}
	for i, q := range f.cat.Questions {
		_, err := f.svc.AnswerPractice(f.ctx, f.a, q.ID, q.Correct(), "", domain.SourcePractice)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			_, _ = f.svc.AnswerPractice(f.ctx, f.a, q.ID, q.Correct(), "", domain.SourcePractice)
		}
	}
	r1, _ := f.svc.Readiness(f.ctx, f.a)
	r2, _ := f.svc.Readiness(f.ctx, f.a)
	if r1.Answers != 30 || r1.PassProbability < 0.9 || r1.Confidence == "none" {
		t.Errorf("all right: %+v", r1)
	}
	if r1.PassProbability != r2.PassProbability {
		t.Error("estimate changes between two reads with the same evidence")
	}
}

func TestReviewStats(t *testing.T) {
	f := newFixture(t)
	st, err := f.svc.ReviewStats(f.ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	if st != (trainer.ReviewStats{Retention: -1}) {
		t.Fatalf("fresh learner's stats = %+v", st)
	}
	// Three missed questions become new cards, due at once.
	qs := f.cat.Questions[:3]
	for i, q := range qs {
		wrong := 0
		for j, c := range q.Choices {
			if !c.Correct {
				wrong = j
				break
			}
		}
		if _, err := f.svc.AnswerPractice(f.ctx, f.a, q.ID, []int{wrong}, fmt.Sprintf("tok-%d", i), domain.SourcePractice); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Add(time.Hour)
	good, err := f.svc.Rate(f.ctx, f.a, qs[0].ID, srs.Good, 0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Rate(f.ctx, f.a, qs[1].ID, srs.Again, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, err = f.svc.ReviewStats(f.ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	var want [7]int
	want[0] = 1 // the card not yet reviewed, due since the miss
	now := f.clk.Now()
	for _, o := range []srs.Outcome{good, again} {
		if days := o.Due.YearDay() - now.YearDay(); days < 7 {
			want[days]++
		}
	}
	if st.Forecast != want {
		t.Errorf("forecast = %v, want %v (good due %s, again due %s)", st.Forecast, want, good.Due, again.Due)
	}
	if st.Reviews != 2 || st.Forgotten != 1 || st.Retention != 50 {
		t.Errorf("retention: %d reviews, %d forgotten, %d%%; want 2, 1, 50%%", st.Reviews, st.Forgotten, st.Retention)
	}
	if st.New != 1 || st.Young != 2 || st.Mature != 0 {
		t.Errorf("states new/young/mature = %d/%d/%d, want 1/2/0", st.New, st.Young, st.Mature)
	}
	// Another user's cards are not counted; a month on, the old ratings leave the window.
	if other, _ := f.svc.ReviewStats(f.ctx, f.b); other.New != 0 || other.Reviews != 0 {
		t.Errorf("user b sees a's cards: %+v", other)
	}
	f.clk.Add(31 * 24 * time.Hour)
	st, _ = f.svc.ReviewStats(f.ctx, f.a)
	if st.Reviews != 0 || st.Retention != -1 || st.Forecast[0] != 3 {
		t.Errorf("a month later: %+v, want no reviews in the window and all 3 cards due today", st)
	}
}

// TestOpenExamAndClock: the exam in progress is found until its deadline by the store's clock,
// which the service reports as its own (the exam page's timer counts from it).
func TestOpenExamAndClock(t *testing.T) {
	f := newFixture(t)
	if !f.svc.Now().Equal(f.clk.Now()) {
		t.Errorf("Now = %v, want the store's clock %v", f.svc.Now(), f.clk.Now())
	}
	if _, err := f.svc.OpenExam(f.ctx, f.a); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("no exam yet: %v, want ENOTFOUND", err)
	}
	ex, err := f.svc.StartExam(f.ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	if open, err := f.svc.OpenExam(f.ctx, f.a); err != nil || open.ID != ex.ID {
		t.Errorf("OpenExam = %+v, %v, want exam %d", open, err, ex.ID)
	}
	if _, err := f.svc.OpenExam(f.ctx, f.b); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("another learner's open exam: %v, want ENOTFOUND", err)
	}
	f.clk.Add(11 * time.Minute)
	if _, err := f.svc.OpenExam(f.ctx, f.a); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("past the deadline: %v, want ENOTFOUND", err)
	}
}

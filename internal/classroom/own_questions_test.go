package classroom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

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

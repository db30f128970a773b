package domain

import "time"

// Exam is a mock exam attempt.
type Exam struct {
	ID            int64
	UserID        int64
	StartedAt     time.Time
	Deadline      time.Time
	SubmittedAt   time.Time // zero while in progress
	AutoSubmitted bool
	Minutes       int
	PassScore     int
	MaxScore      int
	Score         int
	Correct       int
	Total         int
	AssignmentID  int64     // the class assignment the exam was taken for; 0: the learner's own
	ReviewAt      time.Time // answers and reasons are shown from then on; zero: at once
}

// ReviewHidden reports whether the answers and reasons are still hidden at now (an
// assignment's exam whose review comes after the due time, or never).
func (e Exam) ReviewHidden(now time.Time) bool { return !e.ReviewAt.IsZero() && now.Before(e.ReviewAt) }

// Submitted reports whether the exam is over.
func (e Exam) Submitted() bool { return !e.SubmittedAt.IsZero() }

// Passed reports whether a submitted exam's score reached its pass mark.
func (e Exam) Passed() bool { return e.Score >= e.PassScore }

// TimeUsed is how long a submitted exam took, at most its time limit (an exam submitted by the
// sweeper after its deadline used exactly the limit).
func (e Exam) TimeUsed() time.Duration {
	return min(e.SubmittedAt.Sub(e.StartedAt), e.Deadline.Sub(e.StartedAt))
}

// ExamQuestion is one question of an exam with the learner's answer so far.
type ExamQuestion struct {
	Position    int
	QuestionID  string
	ChoiceOrder []int // display order: indices into the question's choices
	Picked      []int // indices into the question's choices
	Answered    bool
	Flagged     bool
}

// NewExam describes an exam to create.
type NewExam struct {
	Minutes, PassScore, MaxScore int
	Questions                    []NewExamQuestion
}

// NewExamQuestion is one drawn question and its choice order.
type NewExamQuestion struct {
	QuestionID  string
	ChoiceOrder []int
}

// ExamSubmission is the scored outcome of an exam, written at submission.
type ExamSubmission struct {
	Score, Correct int
	Auto           bool
	Answers        []AnswerRecord // one per answered question, for history and review
}

// ErrExamInProgress is the store's answer to creating an exam for a learner who has one open:
// the database holds at most one per learner, so of parallel starts one creates the exam and
// the others get this error and join that exam.
var ErrExamInProgress = Errorf(ECONFLICT, "An exam is already in progress.")

// ErrExamOver is returned for answers to an exam past its deadline or already submitted.
var ErrExamOver = Errorf(EGONE, "This exam is over: the time ran out or it was submitted, so the answer was not saved.")

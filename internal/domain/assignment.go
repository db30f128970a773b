package domain

import "time"

// AssignmentKind is what an assignment asks of a student.
type AssignmentKind string

// Assignment kinds.
const (
	AssignLessons  AssignmentKind = "lessons"  // read lessons: done when all are marked complete
	AssignPractice AssignmentKind = "practice" // answer a fixed set of questions
	AssignExam     AssignmentKind = "exam"     // take a mock exam with the assignment's settings
	AssignLab      AssignmentKind = "lab"      // pass a lab: every check passing
)

// ExamGrading says which attempt of an exam assignment counts.
type ExamGrading string

// Gradings, as in a Moodle quiz.
const (
	GradeHighest ExamGrading = "highest"
	GradeLast    ExamGrading = "last"
	GradeFirst   ExamGrading = "first"
)

// ReviewPolicy says when a student sees the answers and reasons of an assignment's exam.
type ReviewPolicy string

// Review policies.
const (
	ReviewImmediately ReviewPolicy = "immediately"
	ReviewAfterDue    ReviewPolicy = "after_due"
	ReviewNever       ReviewPolicy = "never"
)

// QuestionSource says where a class exam draws its questions from.
type QuestionSource string

// Question sources.
const (
	SourceBank QuestionSource = "bank" // the question bank, stratified by domain weight
	SourceOwn  QuestionSource = "own"  // the class's own questions only
	SourceBoth QuestionSource = "both" // the class's own questions first, the rest from the bank
)

// Assignment is work given to a class or one of its sections.
type Assignment struct {
	ID       int64
	ClassID  string
	Section  string // "" for the whole class
	Kind     AssignmentKind
	Title    string
	Ref      string   // the lab id of a lab assignment
	Items    []string // lesson ids (lessons) or question ids (practice), in order
	OpensAt  time.Time
	DueAt    time.Time
	ClosesAt time.Time // end of a live exam window; zero: none

	// Exam settings.
	Questions int
	Minutes   int
	Attempts  int // 0: unlimited
	Grading   ExamGrading
	Review    ReviewPolicy
	Source    QuestionSource

	CreatedAt time.Time
}

// WorkStatus is where a student is with an assignment.
type WorkStatus string

// Work statuses. Late is done after the due time: recorded and scored, marked late.
const (
	WorkNotStarted WorkStatus = "not started"
	WorkInProgress WorkStatus = "in progress"
	WorkDone       WorkStatus = "done"
	WorkLate       WorkStatus = "late"
)

// Work is one student's state on one assignment.
type Work struct {
	AssignmentID int64
	UserID       int64
	Status       WorkStatus
	Score        int  // percent, 0-100, when HasScore
	HasScore     bool // a scored exam, a practice set with answers, lessons with progress, a lab
	Progress     int  // items done (lessons read, questions answered, exam questions answered)
	Of           int  // items in all
	Attempts     int  // exam attempts started
	DoneAt       time.Time
	LastAt       time.Time // the latest activity on this assignment; zero: none
	OpenExamID   int64     // the exam in progress, if any
	LastExamID   int64     // the counted exam attempt, if any
}

// Late reports whether the work was done after the due time.
func (w Work) Late() bool { return w.Status == WorkLate }

// Finished reports whether the work is done (on time or late).
func (w Work) Finished() bool { return w.Status == WorkDone || w.Status == WorkLate }

// LiveExamRow is one student in a live exam: started, answered how many, submitted.
type LiveExamRow struct {
	UserID       int64
	Username     string
	Name         string
	Section      string
	ExamID       int64 // 0: not started
	Answered     int
	Total        int
	StartedAt    time.Time
	Deadline     time.Time
	SubmittedAt  time.Time
	Score        int
	MaxScore     int
	ExtraMinutes int
}

// CompetencyTally is right answers of a group (a section, or one student) per question.
type CompetencyTally struct {
	Section    string
	QuestionID string
	Correct    int
	Total      int
}

// LabPass is a lab a learner passed, and when.
type LabPass struct {
	LabID    string
	PassedAt time.Time
}

// Settle sets Status from the facts: done (or late, when done after due) once DoneAt is set,
// in progress once anything was done, not started otherwise.
func (w *Work) Settle(due time.Time) {
	switch {
	case !w.DoneAt.IsZero() && w.DoneAt.After(due):
		w.Status = WorkLate
	case !w.DoneAt.IsZero():
		w.Status = WorkDone
	case w.Progress > 0 || w.Attempts > 0 || !w.LastAt.IsZero():
		w.Status = WorkInProgress
	default:
		w.Status = WorkNotStarted
	}
}

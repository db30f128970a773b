package classroom

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// AssignmentStore holds assignments, their exams and the facts of students' work.
type AssignmentStore interface {
	CreateAssignment(ctx context.Context, a *domain.Assignment) error
	Assignments(ctx context.Context, classID string) ([]*domain.Assignment, error)
	Assignment(ctx context.Context, classID string, id int64) (*domain.Assignment, error)
	AssignmentsFor(ctx context.Context, userID int64) ([]*domain.Assignment, error)
	CreateAssignmentExam(ctx context.Context, userID, assignmentID int64, ne domain.NewExam) (domain.Exam, error)
	OpenExam(ctx context.Context, userID int64) (domain.Exam, error)
	QuestionStats(ctx context.Context, userID int64) ([]domain.QuestionStat, error)
	SetAccommodation(ctx context.Context, assignmentID, userID int64, extra int) error
	OpenLiveWindow(ctx context.Context, assignmentID int64, opens, closes time.Time) error
	LiveExam(ctx context.Context, assignmentID int64) ([]domain.LiveExamRow, error)
	ClassWork(ctx context.Context, classID string, userID int64) ([]domain.Work, error)
	ClassActivity(ctx context.Context, classID string) (map[int64]time.Time, error)
	ClassTallies(ctx context.Context, classID string) ([]domain.CompetencyTally, error)
	LabPasses(ctx context.Context, userID int64) ([]domain.LabPass, error)
}

// NewAssignment is what an instructor fills in to assign work.
type NewAssignment struct {
	Kind    domain.AssignmentKind
	Title   string // default: from the kind and reference
	Section string // "" for the whole class
	// Ref names the work: a lab id (lab); lesson ids or domain/competency ids whose lessons
	// are all assigned (lessons); question ids, or domain/competency ids to draw Count
	// questions from (practice). Several are separated by commas or spaces.
	Ref     string
	Count   int // practice: questions to draw; exam: questions (default: the curriculum's)
	Minutes int // exam: time limit (default: the curriculum's)
	// Attempts allowed (exam; 0 unlimited, default 1), which counts, when answers are shown.
	Attempts int
	Grading  domain.ExamGrading
	Review   domain.ReviewPolicy
	// Source is where an exam's questions come from: the bank (default), the class's own
	// questions, or both (the class's own first, the rest from the bank).
	Source  domain.QuestionSource
	OpensAt time.Time // zero: at once
	DueAt   time.Time
}

// Assign gives work to a class (or one section of it).
func (s *Service) Assign(ctx context.Context, viewer *domain.User, classID string, na NewAssignment) (*domain.Assignment, error) {
	class, err := s.Teach(ctx, viewer, classID)
	if err != nil {
		return nil, err
	}
	if na.DueAt.IsZero() {
		return nil, domain.Errorf(domain.EINVALID, "An assignment needs a due time.")
	}
	if !na.OpensAt.IsZero() && !na.OpensAt.Before(na.DueAt) {
		return nil, domain.Errorf(domain.EINVALID, "The assignment must open before it is due.")
	}
	if na.Section != "" && !slices.Contains(class.Sections, na.Section) {
		return nil, domain.Errorf(domain.EINVALID, "The class %s has no section %q.", classID, na.Section)
	}
	a := &domain.Assignment{ClassID: classID, Section: na.Section, Kind: na.Kind, Title: strings.TrimSpace(na.Title),
		OpensAt: na.OpensAt, DueAt: na.DueAt, Grading: domain.GradeHighest, Review: domain.ReviewAfterDue, Attempts: 1}
	refs := splitRefs(na.Ref)
	switch na.Kind {
	case domain.AssignLessons:
		if a.Items, err = s.lessonItems(refs); err != nil {
			return nil, err
		}
		if a.Title == "" {
			a.Title = "Read: " + s.cat.Lesson(a.Items[0]).Title
			if len(a.Items) > 1 {
				a.Title = fmt.Sprintf("Read %d lessons", len(a.Items))
			}
		}
	case domain.AssignPractice:
		if a.Items, err = s.practiceItems(ctx, classID, refs, na.Count); err != nil {
			return nil, err
		}
		if a.Title == "" {
			a.Title = fmt.Sprintf("Practice: %d questions", len(a.Items))
		}
	case domain.AssignExam:
		e := s.cat.Curriculum.Exam
		a.Source = cmp.Or(na.Source, domain.SourceBank)
		available := len(s.cat.Questions)
		switch a.Source {
		case domain.SourceBank:
		case domain.SourceOwn, domain.SourceBoth:
			own, err := s.store.ClassQuestionList(ctx, classID)
			if err != nil {
				return nil, err
			}
			if a.Source == domain.SourceOwn {
				if len(own) == 0 {
					return nil, domain.Errorf(domain.EINVALID, "The class has no questions of its own yet: upload a GIFT file on the class's questions page first.")
				}
				available = 0
			}
			available += len(own)
		default:
			return nil, domain.Errorf(domain.EINVALID, "An exam's questions come from bank, own or both, not %q.", na.Source)
		}
		a.Questions, a.Minutes = cmpOr(na.Count, min(e.Questions.Value, available)), cmpOr(na.Minutes, e.Minutes.Value)
		if a.Questions < 1 || a.Questions > available || a.Minutes < 1 || a.Minutes > 600 {
			return nil, domain.Errorf(domain.EINVALID, "An exam has 1 to %d questions (as many as its source holds) and 1 to 600 minutes.", available)
		}
		if na.Attempts < 0 || na.Attempts > 100 {
			return nil, domain.Errorf(domain.EINVALID, "Attempts allowed: 0 (unlimited) to 100.")
		}
		a.Attempts = na.Attempts
		if na.Grading != "" {
			a.Grading = na.Grading
		}
		if na.Review != "" {
			a.Review = na.Review
		}
		if !slices.Contains([]domain.ExamGrading{domain.GradeHighest, domain.GradeLast, domain.GradeFirst}, a.Grading) {
			return nil, domain.Errorf(domain.EINVALID, "The attempt that counts is highest, last or first, not %q.", a.Grading)
		}
		if !slices.Contains([]domain.ReviewPolicy{domain.ReviewImmediately, domain.ReviewAfterDue, domain.ReviewNever}, a.Review) {
			return nil, domain.Errorf(domain.EINVALID, "Answers are shown immediately, after_due or never, not %q.", a.Review)
		}
		if a.Title == "" {
			a.Title = fmt.Sprintf("Mock exam: %d questions, %d minutes", a.Questions, a.Minutes)
		}
	case domain.AssignLab:
		if len(refs) != 1 || s.cat.Lab(refs[0]) == nil {
			return nil, domain.Errorf(domain.EINVALID, "Name one lab by its id (one of %s).", strings.Join(s.labIDs(), ", "))
		}
		a.Ref = refs[0]
		if a.Title == "" {
			a.Title = "Lab: " + s.cat.Lab(a.Ref).Title
		}
	default:
		return nil, domain.Errorf(domain.EINVALID, "The kind of an assignment is exam, practice, lessons or lab, not %q.", na.Kind)
	}
	if a.Kind != domain.AssignExam {
		a.Attempts = 1
	}
	if err := s.store.CreateAssignment(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Assignments lists a class's assignments for its instructors.
func (s *Service) Assignments(ctx context.Context, viewer *domain.User, classID string) ([]*domain.Assignment, error) {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return nil, err
	}
	return s.store.Assignments(ctx, classID)
}

// StudentAssignment is an assignment as its student sees it, with their work on it.
type StudentAssignment struct {
	Assignment *domain.Assignment
	ClassTitle string
	Work       domain.Work
}

// Overdue reports whether the work is past due at now and not done.
func (sa StudentAssignment) Overdue(now time.Time) bool {
	return !sa.Work.Finished() && now.After(sa.Assignment.DueAt)
}

// Open reports whether the assignment has opened at now.
func (sa StudentAssignment) Open(now time.Time) bool {
	a := sa.Assignment
	return (a.OpensAt.IsZero() || !now.Before(a.OpensAt)) && (a.ClosesAt.IsZero() || now.Before(a.ClosesAt))
}

// MyAssignments returns viewer's assignments in every class they study in: what is not done
// first (by due time), then what is done.
func (s *Service) MyAssignments(ctx context.Context, viewer *domain.User) ([]StudentAssignment, error) {
	if viewer == nil || viewer.Disabled {
		return nil, nil
	}
	as, err := s.store.AssignmentsFor(ctx, viewer.ID)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	work := map[int64]domain.Work{}
	titles := map[string]string{}
	for _, a := range as {
		if _, ok := titles[a.ClassID]; ok {
			continue
		}
		c, err := s.store.ClassByID(ctx, a.ClassID)
		if err != nil {
			return nil, err
		}
		titles[a.ClassID] = c.Title
		ws, err := s.store.ClassWork(ctx, a.ClassID, viewer.ID)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			work[w.AssignmentID] = w
		}
	}
	out := make([]StudentAssignment, 0, len(as))
	for _, a := range as {
		out = append(out, StudentAssignment{Assignment: a, ClassTitle: titles[a.ClassID], Work: work[a.ID]})
	}
	slices.SortStableFunc(out, func(x, y StudentAssignment) int {
		if x.Work.Finished() != y.Work.Finished() {
			if x.Work.Finished() {
				return 1
			}
			return -1
		}
		return x.Assignment.DueAt.Compare(y.Assignment.DueAt)
	})
	return out, nil
}

// MyAssignment returns one of viewer's assignments. Instructors of the class see it too (as
// a preview, with no work of their own).
func (s *Service) MyAssignment(ctx context.Context, viewer *domain.User, classID string, id int64) (StudentAssignment, error) {
	role, err := s.Access(ctx, viewer, classID)
	if err != nil {
		return StudentAssignment{}, err
	}
	c, err := s.store.ClassByID(ctx, classID)
	if err != nil {
		return StudentAssignment{}, err
	}
	if role == domain.ClassInstructor {
		a, err := s.store.Assignment(ctx, classID, id)
		if err != nil {
			return StudentAssignment{}, err
		}
		return StudentAssignment{Assignment: a, ClassTitle: c.Title, Work: domain.Work{AssignmentID: id, Status: domain.WorkNotStarted}}, nil
	}
	all, err := s.MyAssignments(ctx, viewer)
	if err != nil {
		return StudentAssignment{}, err
	}
	for _, sa := range all {
		if sa.Assignment.ID == id && sa.Assignment.ClassID == classID {
			return sa, nil
		}
	}
	return StudentAssignment{}, domain.Errorf(domain.ENOTFOUND, "There is no such assignment.")
}

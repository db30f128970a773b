package classroom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
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

func splitRefs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
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
		own, err := s.store.ClassQuestionList(ctx, classID)
		if err != nil {
			return nil, err
		}
		available := len(s.cat.Questions)
		switch a.Source {
		case domain.SourceBank:
		case domain.SourceOwn:
			available = len(own)
			if available == 0 {
				return nil, domain.Errorf(domain.EINVALID, "The class has no questions of its own yet: upload a GIFT file on the class's questions page first.")
			}
		case domain.SourceBoth:
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

func cmpOr(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}

// sortedQuestions returns the map's questions by id, so that a draw from them depends only on
// the random generator.
func sortedQuestions(m map[string]*catalog.Question) []*catalog.Question {
	out := make([]*catalog.Question, 0, len(m))
	for _, q := range m {
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b *catalog.Question) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (s *Service) labIDs() []string {
	ids := make([]string, len(s.cat.Labs))
	for i, l := range s.cat.Labs {
		ids[i] = l.ID
	}
	return ids
}

// lessonItems resolves lesson ids, and domain or competency ids to all their lessons.
func (s *Service) lessonItems(refs []string) ([]string, error) {
	var out []string
	for _, r := range refs {
		var ls []*catalog.Lesson
		switch {
		case s.cat.Lesson(r) != nil:
			ls = []*catalog.Lesson{s.cat.Lesson(r)}
		case s.cat.Domain(r) != nil:
			ls = s.cat.Domain(r).Lessons
		case s.cat.Competency(r) != nil:
			ls = s.cat.Competency(r).Lessons
		default:
			return nil, domain.Errorf(domain.EINVALID, "%q is not a lesson, domain or competency id.", r)
		}
		for _, l := range ls {
			if !slices.Contains(out, l.ID) {
				out = append(out, l.ID)
			}
		}
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "Name the lessons to read: lesson ids, or a domain or competency id.")
	}
	return out, nil
}

// OwnQuestions is the reference that draws a practice set from the class's own questions.
const OwnQuestions = "own"

// practiceItems takes hand-picked question ids (the bank's, or the class's own "cq-N") as
// they are, and draws n questions at random from the domains and competencies named, and from
// the class's own questions when "own" is named (the whole bank when nothing is).
func (s *Service) practiceItems(ctx context.Context, classID string, refs []string, n int) ([]string, error) {
	var picked []string
	var pool []*catalog.Question
	seen := map[string]bool{}
	var own map[string]*catalog.Question // the class's own questions, read once when needed
	ownQuestions := func() (map[string]*catalog.Question, error) {
		if own != nil {
			return own, nil
		}
		qs, err := s.ClassQuestions(ctx, classID)
		if err != nil {
			return nil, err
		}
		own = make(map[string]*catalog.Question, len(qs))
		for _, q := range qs {
			own[q.ID] = q
		}
		return own, nil
	}
	for _, r := range refs {
		switch {
		case s.cat.Question(r) != nil:
			if !slices.Contains(picked, r) {
				picked = append(picked, r)
			}
		case strings.HasPrefix(r, domain.ClassQuestionPrefix):
			qs, err := ownQuestions()
			if err != nil {
				return nil, err
			}
			if qs[r] == nil {
				return nil, domain.Errorf(domain.EINVALID, "%q is not one of this class's questions.", r)
			}
			if !slices.Contains(picked, r) {
				picked = append(picked, r)
			}
		case r == OwnQuestions:
			qs, err := ownQuestions()
			if err != nil {
				return nil, err
			}
			if len(qs) == 0 {
				return nil, domain.Errorf(domain.EINVALID, "The class has no questions of its own yet: upload a GIFT file on the class's questions page first.")
			}
			for _, q := range sortedQuestions(qs) {
				if !seen[q.ID] {
					seen[q.ID] = true
					pool = append(pool, q)
				}
			}
		case s.cat.Domain(r) != nil || s.cat.Competency(r) != nil:
			f := quiz.Filter{Domain: r}
			if s.cat.Competency(r) != nil {
				f = quiz.Filter{Competency: r}
			}
			for _, q := range quiz.Pool(s.cat, f) {
				if !seen[q.ID] {
					seen[q.ID] = true
					pool = append(pool, q)
				}
			}
		default:
			return nil, domain.Errorf(domain.EINVALID, "%q is not a question, domain or competency id, nor %q (the class's own questions).", r, OwnQuestions)
		}
	}
	if len(picked) > 0 && len(pool) == 0 && n == 0 {
		return picked, nil
	}
	if len(pool) == 0 && len(picked) == 0 {
		pool = s.cat.Questions
	}
	if n <= 0 {
		return nil, domain.Errorf(domain.EINVALID, "Say how many questions to draw (1 to %d).", len(pool))
	}
	pool = slices.DeleteFunc(slices.Clone(pool), func(q *catalog.Question) bool { return slices.Contains(picked, q.ID) })
	if n > len(pool)+len(picked) {
		return nil, domain.Errorf(domain.EINVALID, "Only %d questions match; asked for %d.", len(pool)+len(picked), n)
	}
	rng := rand.New(rand.NewPCG(uint64(s.now().UnixNano()), 0x636c6173))
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := picked
	for _, q := range pool[:max(0, n-len(picked))] {
		out = append(out, q.ID)
	}
	return out, nil
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

// StartExam starts an attempt at an exam assignment, or returns the student's attempt in
// progress. The database enforces opening, window, attempts and one open exam per learner.
func (s *Service) StartExam(ctx context.Context, viewer *domain.User, classID string, id int64) (domain.Exam, error) {
	role, err := s.Access(ctx, viewer, classID)
	if err != nil {
		return domain.Exam{}, err
	}
	if role != domain.ClassStudent { // instructors preview the page; only students start
		return domain.Exam{}, domain.Errorf(domain.ENOTFOUND, "There is no such assignment to take.")
	}
	a, err := s.store.Assignment(ctx, classID, id)
	if err != nil {
		return domain.Exam{}, err
	}
	if a.Kind != domain.AssignExam {
		return domain.Exam{}, domain.Errorf(domain.EINVALID, "This assignment is not an exam.")
	}
	if open, err := s.store.OpenExam(ctx, viewer.ID); err == nil {
		if open.AssignmentID == a.ID {
			return open, nil
		}
		if s.now().Before(open.Deadline) {
			return domain.Exam{}, domain.Errorf(domain.ECONFLICT, "You have another exam in progress: finish it first.")
		}
	}
	stats, err := s.store.QuestionStats(ctx, viewer.ID)
	if err != nil {
		return domain.Exam{}, err
	}
	h := make(quiz.History, len(stats))
	for _, st := range stats {
		h[st.QuestionID] = quiz.Seen{Count: st.Count, Correct: st.Correct, Last: st.LastAt, LastOK: st.LastOK}
	}
	rng := rand.New(rand.NewPCG(uint64(s.now().UnixNano()), uint64(viewer.ID)))
	qs, err := s.drawExam(ctx, a, h, rng)
	if err != nil {
		return domain.Exam{}, err
	}
	e := s.cat.Curriculum.Exam
	ne := domain.NewExam{Minutes: a.Minutes, PassScore: e.PassScore.Value, MaxScore: e.MaxScore}
	for _, q := range qs {
		ne.Questions = append(ne.Questions, domain.NewExamQuestion{QuestionID: q.ID, ChoiceOrder: quiz.ChoiceOrder(q, rng)})
	}
	ex, err := s.store.CreateAssignmentExam(ctx, viewer.ID, a.ID, ne)
	if errors.Is(err, domain.ErrExamInProgress) {
		// A parallel start won the race (or an older exam is still open past its deadline,
		// until the sweeper submits it).
		if open, oerr := s.store.OpenExam(ctx, viewer.ID); oerr == nil && open.AssignmentID == a.ID {
			return open, nil
		}
		return domain.Exam{}, domain.Errorf(domain.ECONFLICT, "You have another exam in progress: finish it first.")
	}
	return ex, err
}

// drawExam draws an assignment's exam from its source: the bank (stratified by domain weight,
// unseen questions first), the class's own questions (at random), or both (the class's own
// first, as many as fit, then the bank for the rest).
func (s *Service) drawExam(ctx context.Context, a *domain.Assignment, h quiz.History, rng *rand.Rand) ([]*catalog.Question, error) {
	var qs []*catalog.Question
	if a.Source == domain.SourceOwn || a.Source == domain.SourceBoth {
		own, err := s.ClassQuestions(ctx, a.ClassID)
		if err != nil {
			return nil, err
		}
		rng.Shuffle(len(own), func(i, j int) { own[i], own[j] = own[j], own[i] })
		qs = own[:min(len(own), a.Questions)]
	}
	if a.Source != domain.SourceOwn && len(qs) < a.Questions {
		qs = append(qs, quiz.DrawExam(s.cat, a.Questions-len(qs), h, rng)...)
	}
	if len(qs) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "There are no questions to draw this exam from.")
	}
	return qs, nil
}

// QuestionsFor returns the class questions among ids that userID may see (those of a class
// they belong to), as catalog questions by id: the trainer resolves a class's own questions in
// practice, exams and review through it. The scope is the store's query.
func (s *Service) QuestionsFor(ctx context.Context, userID int64, ids []string) (map[string]*catalog.Question, error) {
	nums := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, ok := domain.ParseClassQuestionID(id); ok {
			nums = append(nums, n)
		}
	}
	qs, err := s.store.ClassQuestionsFor(ctx, userID, nums)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*catalog.Question, len(qs))
	for _, q := range qs {
		out[q.QuestionID()] = s.catalogQuestion(q)
	}
	return out, nil
}

package classroom

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
)

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

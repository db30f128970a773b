package trainer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
)

// ExamItem is one question of an exam as the learner sees it.
type ExamItem struct {
	Position    int
	Question    *catalog.Question
	ChoiceOrder []int // display order
	Picked      []int
	Answered    bool
	Flagged     bool
}

// ExamState is an exam with its questions.
type ExamState struct {
	Exam  domain.Exam
	Items []ExamItem
}

// Answered counts answered questions.
func (st ExamState) Answered() int {
	n := 0
	for _, it := range st.Items {
		if it.Answered {
			n++
		}
	}
	return n
}

// Item returns the question at a 1-based position, or ENOTFOUND.
func (st ExamState) Item(pos int) (ExamItem, error) {
	if pos < 1 || pos > len(st.Items) {
		return ExamItem{}, domain.Errorf(domain.ENOTFOUND, "The exam has no question %d.", pos)
	}
	return st.Items[pos-1], nil
}

// StartExam starts a mock exam with the curriculum's settings, or returns the learner's exam
// in progress if there is one (an unfinished exam is resumed, never lost). The database keeps
// one exam in progress per learner, so parallel starts all land on the same exam. Questions are drawn
// stratified by domain weight, preferring ones the learner has not seen.
func (s *Service) StartExam(ctx context.Context, userID int64) (domain.Exam, error) {
	open, err := s.db.OpenExam(ctx, userID)
	switch {
	case err == nil && s.db.Now().Before(open.Deadline):
		return open, nil
	case err == nil:
		if _, err := s.Submit(ctx, userID, open.ID, true); err != nil {
			return domain.Exam{}, err
		}
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return domain.Exam{}, err
	}
	h, err := s.history(ctx, userID)
	if err != nil {
		return domain.Exam{}, err
	}
	e := s.cat.Curriculum.Exam
	rng := s.newRand()
	qs := quiz.DrawExam(s.cat, e.Questions.Value, h, rng)
	if len(qs) == 0 {
		return domain.Exam{}, domain.Errorf(domain.EINVALID, "The question bank is empty: no exam can be drawn.")
	}
	ne := domain.NewExam{Minutes: e.Minutes.Value, PassScore: e.PassScore.Value, MaxScore: e.MaxScore}
	for _, q := range qs {
		ne.Questions = append(ne.Questions, domain.NewExamQuestion{QuestionID: q.ID, ChoiceOrder: quiz.ChoiceOrder(q, rng)})
	}
	ex, err := s.db.CreateExam(ctx, userID, ne)
	if errors.Is(err, domain.ErrExamInProgress) {
		// A parallel start (double click, second tab) won the race: join its exam.
		return s.db.OpenExam(ctx, userID)
	}
	return ex, err
}

// Exam returns the exam and its questions. An exam past its deadline is submitted first, so
// the learner always sees the truth: over means over.
func (s *Service) Exam(ctx context.Context, userID, examID int64) (ExamState, error) {
	ex, err := s.db.Exam(ctx, userID, examID)
	if err != nil {
		return ExamState{}, err
	}
	if !ex.Submitted() && !s.db.Now().Before(ex.Deadline) {
		if ex, err = s.Submit(ctx, userID, examID, true); err != nil {
			return ExamState{}, err
		}
	}
	rows, err := s.db.ExamQuestions(ctx, userID, examID)
	if err != nil {
		return ExamState{}, err
	}
	qs, err := s.questions(ctx, userID, examQuestionIDs(rows))
	if err != nil {
		return ExamState{}, err
	}
	st := ExamState{Exam: ex}
	for _, r := range rows {
		q := qs[r.QuestionID]
		if q == nil { // the content changed under the exam: the question is left out
			s.logger.Warn("exam question no longer in the catalog", "exam", examID, "question", r.QuestionID)
			continue
		}
		st.Items = append(st.Items, ExamItem{Position: r.Position, Question: q, ChoiceOrder: r.ChoiceOrder,
			Picked: r.Picked, Answered: r.Answered, Flagged: r.Flagged})
	}
	return st, nil
}

// SaveAnswer saves the learner's selection for one question as soon as it is made. Late
// answers are refused with EGONE, and the late exam is submitted.
func (s *Service) SaveAnswer(ctx context.Context, userID, examID int64, position int, picked []int) error {
	qid, err := s.db.ExamQuestionID(ctx, userID, examID, position)
	if err != nil {
		return err
	}
	q, err := s.Question(ctx, userID, qid)
	if err != nil {
		return err
	}
	if picked, err = validatePicked(q, picked); err != nil {
		return err
	}
	err = s.db.SaveExamAnswer(ctx, userID, examID, position, picked)
	if errors.Is(err, domain.ErrExamOver) {
		if _, serr := s.Submit(ctx, userID, examID, true); serr != nil {
			s.logger.Error("auto-submit after late answer", "exam", examID, "error", serr)
		}
	}
	return err
}

// Flag marks a question for review, or clears the mark.
func (s *Service) Flag(ctx context.Context, userID, examID int64, position int, flagged bool) error {
	return s.db.SetExamFlag(ctx, userID, examID, position, flagged)
}

// Submit scores and closes the exam (auto: the deadline did it). Submitting an exam already
// submitted returns it unchanged.
func (s *Service) Submit(ctx context.Context, userID, examID int64, auto bool) (domain.Exam, error) {
	ex, err := s.db.Exam(ctx, userID, examID)
	if err != nil {
		return domain.Exam{}, err
	}
	if ex.Submitted() {
		return ex, nil
	}
	rows, err := s.db.ExamQuestions(ctx, userID, examID)
	if err != nil {
		return domain.Exam{}, err
	}
	qs, err := s.questions(ctx, userID, examQuestionIDs(rows))
	if err != nil {
		return domain.Exam{}, err
	}
	var rs []quiz.Response
	var answers []domain.AnswerRecord
	for _, r := range rows {
		q := qs[r.QuestionID]
		if q == nil {
			continue
		}
		resp := quiz.Response{Question: q, Picked: r.Picked, Answered: r.Answered}
		rs = append(rs, resp)
		// An unanswered question scores as wrong, so it is recorded (and queued for review) as
		// a miss too.
		answers = append(answers, domain.AnswerRecord{QuestionID: q.ID, Picked: r.Picked, Correct: resp.Correct()})
	}
	res := quiz.Score(s.cat, rs, ex.MaxScore, ex.PassScore)
	if _, err := s.db.SubmitExam(ctx, userID, examID, domain.ExamSubmission{Score: res.Score, Correct: res.Correct, Auto: auto, Answers: answers}); err != nil {
		return domain.Exam{}, err
	}
	return s.db.Exam(ctx, userID, examID)
}

func examQuestionIDs(rows []domain.ExamQuestion) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.QuestionID
	}
	return ids
}

// Result is a submitted exam, scored, with every question for review.
type Result struct {
	Exam     domain.Exam
	Score    quiz.Result
	Items    []ExamItem
	TimeUsed time.Duration
}

// Result returns a submitted exam's result; an exam still running is ECONFLICT.
func (s *Service) Result(ctx context.Context, userID, examID int64) (Result, error) {
	st, err := s.Exam(ctx, userID, examID)
	if err != nil {
		return Result{}, err
	}
	if !st.Exam.Submitted() {
		return Result{}, domain.Errorf(domain.ECONFLICT, "This exam is still running: submit it to see the result.")
	}
	rs := make([]quiz.Response, len(st.Items))
	for i, it := range st.Items {
		rs[i] = quiz.Response{Question: it.Question, Picked: it.Picked, Answered: it.Answered}
	}
	return Result{Exam: st.Exam, Score: quiz.Score(s.cat, rs, st.Exam.MaxScore, st.Exam.PassScore), Items: st.Items, TimeUsed: st.Exam.TimeUsed()}, nil
}

// History lists the learner's submitted exams, oldest first.
func (s *Service) History(ctx context.Context, userID int64) ([]domain.Exam, error) {
	return s.db.ExamHistory(ctx, userID)
}

// OpenExam returns the learner's exam in progress, or ENOTFOUND.
func (s *Service) OpenExam(ctx context.Context, userID int64) (domain.Exam, error) {
	ex, err := s.db.OpenExam(ctx, userID)
	if err != nil {
		return ex, err
	}
	if !s.db.Now().Before(ex.Deadline) {
		return domain.Exam{}, domain.Errorf(domain.ENOTFOUND, "No exam in progress.")
	}
	return ex, nil
}

// SweepExpired submits every exam past its deadline, so results exist even when the learner
// closed the tab. It returns how many it submitted.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	exams, err := s.db.ExpiredExams(ctx, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ex := range exams {
		if _, err := s.Submit(ctx, ex.UserID, ex.ID, true); err != nil {
			return n, fmt.Errorf("auto-submit exam %d: %w", ex.ID, err)
		}
		n++
	}
	return n, nil
}

// Run submits expired exams every sweep interval until ctx is done.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.sweep)
	defer t.Stop()
	for {
		if n, err := s.SweepExpired(ctx); err != nil {
			if ctx.Err() == nil {
				s.logger.Error("exam sweeper", "error", err)
			}
		} else if n > 0 {
			s.logger.Info("auto-submitted exams at their deadline", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

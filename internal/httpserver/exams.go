package httpserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/trainer"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func examURL(id int64) string                { return "/exams/" + strconv.FormatInt(id, 10) }
func examQuestionURL(id int64, p int) string { return fmt.Sprintf("/exams/%d/q/%d", id, p) }

// examParams reads the exam id and question position from the URL.
func examParams(r *http.Request) (int64, int, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "examID"), 10, 64)
	if err != nil {
		return 0, 0, domain.Errorf(domain.ENOTFOUND, "There is no such exam.")
	}
	pos := 0
	if p := chi.URLParam(r, "pos"); p != "" {
		if pos, err = strconv.Atoi(p); err != nil {
			return 0, 0, domain.Errorf(domain.ENOTFOUND, "There is no such question.")
		}
	}
	return id, pos, nil
}

func navItems(st trainer.ExamState, current int) []pages.NavItem {
	out := make([]pages.NavItem, len(st.Items))
	for i, it := range st.Items {
		out[i] = pages.NavItem{Position: it.Position, URL: examQuestionURL(st.Exam.ID, it.Position),
			Answered: it.Answered, Flagged: it.Flagged, Current: it.Position == current}
	}
	return out
}

func (s *Server) handleExams(w http.ResponseWriter, r *http.Request) {
	uid := user(r).ID
	hist, err := s.trainer.History(r.Context(), uid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.ExamsVM{Page: s.page(r, "Mock exams", "exams"), Exam: s.examSummary(), Bank: len(s.catalog.Questions)}
	if open, err := s.openExamVM(r); err != nil {
		s.Error(w, r, err)
		return
	} else {
		vm.Open = open
	}
	for i := len(hist) - 1; i >= 0; i-- {
		e := hist[i]
		vm.History = append(vm.History, pages.ExamRowVM{URL: examURL(e.ID) + "/result", Date: e.StartedAt.Format("2 Jan 2006 15:04"),
			Score: e.Score, Passed: e.Passed(), Auto: e.AutoSubmitted, Correct: e.Correct, Total: e.Total,
			TimeUsed: formatDuration(e.TimeUsed())})
	}
	vm.Chart = trendChart(hist)
	s.render(w, r, http.StatusOK, pages.Exams(vm))
}

// openExamVM describes the learner's exam in progress, or nil.
func (s *Server) openExamVM(r *http.Request) (*pages.OpenExamVM, error) {
	ex, err := s.trainer.OpenExam(r.Context(), user(r).ID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	st, err := s.trainer.Exam(r.Context(), user(r).ID, ex.ID)
	if err != nil {
		return nil, err
	}
	return &pages.OpenExamVM{URL: examURL(ex.ID), Answered: st.Answered(), Total: len(st.Items),
		Remaining: formatDuration(ex.Deadline.Sub(s.trainer.Now()))}, nil
}

// handleStartExam starts a mock exam (or resumes the one in progress).
func (s *Server) handleStartExam(w http.ResponseWriter, r *http.Request) {
	ex, err := s.trainer.StartExam(r.Context(), user(r).ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, examURL(ex.ID), http.StatusSeeOther)
}

// handleExam sends the learner to the first unanswered question, or to the result.
func (s *Server) handleExam(w http.ResponseWriter, r *http.Request) {
	id, _, err := examParams(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	st, err := s.trainer.Exam(r.Context(), user(r).ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if st.Exam.Submitted() {
		http.Redirect(w, r, examURL(id)+"/result", http.StatusSeeOther)
		return
	}
	pos := 1
	for _, it := range st.Items {
		if !it.Answered {
			pos = it.Position
			break
		}
	}
	http.Redirect(w, r, examQuestionURL(id, pos), http.StatusSeeOther)
}

func (s *Server) handleExamQuestion(w http.ResponseWriter, r *http.Request) {
	id, pos, err := examParams(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	st, err := s.trainer.Exam(r.Context(), user(r).ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if st.Exam.Submitted() {
		http.Redirect(w, r, examURL(id)+"/result", http.StatusSeeOther)
		return
	}
	it, err := st.Item(pos)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.ExamQuestionVM{
		Page:       s.page(r, fmt.Sprintf("Mock exam: question %d of %d", pos, len(st.Items)), "exams"),
		ExamID:     id,
		Position:   pos,
		Total:      len(st.Items),
		Answered:   st.Answered(),
		Question:   questionVM(it.Question, it.ChoiceOrder, it.Picked),
		Flagged:    it.Flagged,
		Navigator:  navItems(st, pos),
		AnswerURL:  examQuestionURL(id, pos) + "/answer",
		FlagURL:    examQuestionURL(id, pos) + "/flag",
		SubmitURL:  examURL(id) + "/submit",
		ResultURL:  examURL(id) + "/result",
		DeadlineMs: st.Exam.Deadline.UnixMilli(),
		NowMs:      s.trainer.Now().UnixMilli(),
		Remaining:  clock(st.Exam.Deadline.Sub(s.trainer.Now())),
	}
	if pos > 1 {
		vm.PrevURL = examQuestionURL(id, pos-1)
	}
	if pos < len(st.Items) {
		vm.NextURL = examQuestionURL(id, pos+1)
	}
	s.render(w, r, http.StatusOK, pages.ExamQuestion(vm))
}

// handleExamAnswer saves the selection for one question. htmx gets the navigator back;
// a plain form post is redirected to the question.
func (s *Server) handleExamAnswer(w http.ResponseWriter, r *http.Request) {
	id, pos, err := examParams(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	picked, err := pickedFromForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.trainer.SaveAnswer(r.Context(), user(r).ID, id, pos, picked); err != nil {
		s.Error(w, r, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, examQuestionURL(id, pos), http.StatusSeeOther)
		return
	}
	st, err := s.trainer.Exam(r.Context(), user(r).ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.AnswerSaved(navItems(st, pos), st.Answered()))
}

func (s *Server) handleExamFlag(w http.ResponseWriter, r *http.Request) {
	id, pos, err := examParams(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	flagged := r.PostFormValue("flagged") == "1"
	if err := s.trainer.Flag(r.Context(), user(r).ID, id, pos, flagged); err != nil {
		s.Error(w, r, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, examQuestionURL(id, pos), http.StatusSeeOther)
		return
	}
	st, err := s.trainer.Exam(r.Context(), user(r).ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.FlagSaved(examQuestionURL(id, pos)+"/flag", flagged, navItems(st, pos)))
}

func (s *Server) handleExamSubmit(w http.ResponseWriter, r *http.Request) {
	id, _, err := examParams(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if _, err := s.trainer.Submit(r.Context(), user(r).ID, id, false); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, examURL(id)+"/result", http.StatusSeeOther)
}

func (s *Server) handleExamResult(w http.ResponseWriter, r *http.Request) {
	id, _, err := examParams(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.trainer.Result(r.Context(), user(r).ID, id)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		http.Redirect(w, r, examURL(id), http.StatusSeeOther)
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sc := res.Score
	vm := pages.ExamResultVM{
		Page: s.page(r, "Mock exam result", "exams"), ExamID: id,
		Score: sc.Score, MaxScore: sc.MaxScore, PassScore: sc.PassScore, Passed: sc.Passed, Auto: res.Exam.AutoSubmitted,
		Correct: sc.Correct, Total: sc.Total, TimeUsed: formatDuration(res.TimeUsed), Limit: formatDuration(res.Exam.Deadline.Sub(res.Exam.StartedAt)),
	}
	for _, d := range sc.Domains {
		a := pages.AreaVM{ID: d.ID, Title: d.Title, Weight: d.Weight, Correct: d.Tally.Correct, Total: d.Tally.Total, Percent: d.Tally.Percent()}
		for _, c := range d.Competencies {
			a.Competencies = append(a.Competencies, pages.AreaVM{ID: c.ID, Title: c.Title, Correct: c.Tally.Correct, Total: c.Tally.Total, Percent: c.Tally.Percent()})
		}
		vm.Domains = append(vm.Domains, a)
	}
	vm.Chart = domainChart(vm.Domains, sc.PassScore, sc.MaxScore)
	if now := s.trainer.Now(); res.Exam.ReviewHidden(now) {
		vm.ReviewHidden = "Your instructor shows the questions, answers and reasons of this class exam after its due time."
		if res.Exam.ReviewAt.Year() >= 9999 {
			vm.ReviewHidden = "Your instructor does not show the questions, answers and reasons of this class exam."
		}
		res.Items = nil
	}
	for _, it := range res.Items {
		vm.Items = append(vm.Items, pages.ResultItemVM{
			Position: it.Position, ID: it.Question.ID, Correct: it.Answered && it.Question.IsCorrect(it.Picked), Answered: it.Answered,
			Flagged: it.Flagged, StemHTML: it.Question.StemHTML(), DomainTitle: it.Question.Domain.Title,
			CompetencyTitle: it.Question.Competency.Title, Feedback: feedbackVM(it.Question, it.ChoiceOrder, it.Picked),
		})
	}
	s.render(w, r, http.StatusOK, pages.ExamResult(vm))
}

// trendChart plots exam scores, oldest left, on a 0..max scale with the pass line.
func trendChart(hist []domain.Exam) pages.ChartVM {
	const w, h, left, right, top, bottom = 640, 220, 50, 20, 15, 20
	c := pages.ChartVM{Width: w, Height: h}
	if len(hist) == 0 {
		return c
	}
	maxScore := hist[len(hist)-1].MaxScore
	y := func(score int) int { return top + (h-top-bottom)*(maxScore-score)/max(maxScore, 1) }
	for _, t := range []int{0, maxScore / 4, maxScore / 2, maxScore * 3 / 4, maxScore} {
		c.YTicks = append(c.YTicks, pages.ChartTick{Y: y(t), Label: strconv.Itoa(t)})
	}
	pass := hist[len(hist)-1].PassScore
	c.PassY, c.PassLabel = y(pass), "pass "+strconv.Itoa(pass)
	span := w - left - right
	for i, e := range hist {
		x := left + span/2
		if len(hist) > 1 {
			x = left + span*i/(len(hist)-1)
		}
		d := pages.ChartDot{X: x, Y: y(e.Score), Passed: e.Passed(),
			Label: fmt.Sprintf("%s: %d", e.StartedAt.Format("2 Jan 2006"), e.Score)}
		c.Dots = append(c.Dots, d)
		if i > 0 {
			c.Points += " "
		}
		c.Points += fmt.Sprintf("%d,%d", d.X, d.Y)
	}
	return c
}

// domainChart draws each domain's share of right answers as a bar against the pass mark.
func domainChart(domains []pages.AreaVM, pass, maxScore int) pages.BarChartVM {
	const w, row = 640, 40
	passPct := 100 * pass / max(maxScore, 1)
	c := pages.BarChartVM{Width: w, Height: row*len(domains) + 4, PassX: w * passPct / 100,
		PassLabel: fmt.Sprintf("%d%%", passPct), Title: "Your score by domain"}
	desc := make([]string, 0, len(domains))
	for i, d := range domains {
		c.Bars = append(c.Bars, pages.BarVM{ID: d.ID, Label: d.Title, Percent: d.Percent,
			LabelY: row*i + 14, BarY: row*i + 20, Width: w * d.Percent / 100, Passed: d.Percent >= passPct})
		desc = append(desc, fmt.Sprintf("%s %d%%", d.Title, d.Percent))
	}
	c.Desc = fmt.Sprintf("Pass mark %d%%. ", passPct) + strings.Join(desc, ", ") + "."
	return c
}

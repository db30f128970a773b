package httpserver

import (
	"math"
	"net/http"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	done, err := s.study.CompletedLessons(r.Context(), user(r).ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.DashboardVM{
		Page:         s.page(r, "Dashboard", "home"),
		LessonsTotal: len(s.catalog.Lessons),
		Questions:    len(s.catalog.Questions),
		Labs:         len(s.catalog.Labs),
		Exam:         s.examSummary(),
	}
	if vm.Reviews, err = s.reviewCounts(r); err != nil {
		s.Error(w, r, err)
		return
	}
	if vm.OpenExam, err = s.openExamVM(r); err != nil {
		s.Error(w, r, err)
		return
	}
	if vm.Readiness, err = s.readinessVM(r); err != nil {
		s.Error(w, r, err)
		return
	}
	if vm.Assignments, err = s.myAssignmentsVM(r); err != nil {
		s.Error(w, r, err)
		return
	}
	for _, l := range s.catalog.Lessons {
		if _, ok := done[l.ID]; ok {
			vm.LessonsDone++
		} else if vm.Continue == nil {
			vm.Continue = lessonLink(l, done)
		}
	}
	for _, d := range s.catalog.Domains {
		card := pages.DomainCard{ID: d.ID, Title: d.Title, URL: d.URL(), Weight: d.Weight, Total: len(d.Lessons)}
		card.Done = countDone(d.Lessons, done)
		for _, c := range d.Competencies {
			card.Competencies = append(card.Competencies, pages.CompetencyProgress{
				ID: c.ID, Title: c.Title, Done: countDone(c.Lessons, done), Total: len(c.Lessons),
			})
		}
		vm.Domains = append(vm.Domains, card)
	}
	s.render(w, r, http.StatusOK, pages.Dashboard(vm))
}

func countDone(ls []*catalog.Lesson, done map[string]time.Time) int {
	n := 0
	for _, l := range ls {
		if _, ok := done[l.ID]; ok {
			n++
		}
	}
	return n
}

func lessonLink(l *catalog.Lesson, done map[string]time.Time) *pages.LessonLink {
	if l == nil {
		return nil
	}
	_, ok := done[l.ID]
	return &pages.LessonLink{Title: l.Title, URL: l.URL(), Minutes: l.Minutes, Done: ok}
}

// examSummary describes the exam settings from the curriculum.
func (s *Server) examSummary() pages.ExamSummary {
	cur := s.catalog.Curriculum
	return pages.ExamSummary{
		Questions: cur.Exam.Questions.Value, QuestionsOfficial: cur.Exam.Questions.Official(),
		Minutes: cur.Exam.Minutes.Value, MinutesOfficial: cur.Exam.Minutes.Official(),
		PassScore: cur.Exam.PassScore.Value, PassOfficial: cur.Exam.PassScore.Official(),
		MaxScore: cur.Exam.MaxScore, Notes: cur.Exam.Notes, CurriculumVersion: cur.Version,
	}
}

func (s *Server) readinessVM(r *http.Request) (pages.ReadinessVM, error) {
	est, err := s.trainer.Readiness(r.Context(), user(r).ID)
	if err != nil {
		return pages.ReadinessVM{}, err
	}
	e := s.catalog.Curriculum.Exam
	return readinessOf(est, e.MaxScore, e.PassScore.Value), nil
}

// readinessOf is the view of a readiness estimate (the learner's own, or a student's for
// their instructor).
func readinessOf(est quiz.Readiness, maxScore, passScore int) pages.ReadinessVM {
	vm := pages.ReadinessVM{
		Shown: est.Answers >= quiz.MinAnswersForReadiness, Answers: est.Answers, Needed: max(0, quiz.MinAnswersForReadiness-est.Answers),
		Percent: int(math.Round(100 * est.PassProbability)), Expected: est.Expected, Low: est.Low, High: est.High,
		MaxScore: maxScore, PassScore: passScore, Confidence: est.Confidence,
	}
	for _, d := range est.Domains {
		vm.Domains = append(vm.Domains, pages.DomainReadinessVM{Title: d.Title, Weight: d.Weight, Answers: d.Answers,
			Accuracy: int(math.Round(100 * d.Accuracy)), Low: int(math.Round(100 * d.Low)), High: int(math.Round(100 * d.High)),
			MeetsMark: int(math.Round(100 * d.MeetsMark))})
	}
	return vm
}

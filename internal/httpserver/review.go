package httpserver

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/srs"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) reviewCounts(r *http.Request) (pages.ReviewCountsVM, error) {
	sum, err := s.trainer.ReviewSummary(r.Context(), user(r).ID)
	return pages.ReviewCountsVM{DueNow: sum.DueNow, DueToday: sum.DueToday, Total: sum.Total}, err
}

// handleReview shows the most overdue review question, or that nothing is due.
func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) {
	counts, err := s.reviewCounts(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	due, err := s.trainer.NextReview(r.Context(), user(r).ID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		s.render(w, r, http.StatusOK, pages.ReviewEmpty(pages.ReviewEmptyVM{Page: s.page(r, "Review", "review"), Counts: counts}))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	q := due.Question
	vm := pages.PracticeVM{
		Page: s.page(r, "Review", "review"), Review: true, Due: counts,
		Question:  questionVM(q, practiceOrder(user(r).ID, q), nil),
		ActionURL: "/review/q/" + url.PathEscape(q.ID), Token: newToken(), ReportURL: s.reportURL(q.ID),
	}
	s.render(w, r, http.StatusOK, pages.Practice(vm))
}

// handleReviewAnswer checks the answer, explains it and offers the recall ratings.
func (s *Server) handleReviewAnswer(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	due, err := s.trainer.Card(r.Context(), user(r).ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	counts, err := s.reviewCounts(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	q := due.Question
	order := practiceOrder(user(r).ID, q)
	vm := pages.PracticeVM{
		Page: s.page(r, "Review", "review"), Review: true, Due: counts,
		Question:  questionVM(q, order, nil),
		ActionURL: "/review/q/" + url.PathEscape(q.ID), Token: newToken(), ReportURL: s.reportURL(q.ID),
		RateURL: "/review/q/" + url.PathEscape(q.ID) + "/rate", Reps: due.Card.Reps,
	}
	picked, err := pickedFromForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	fb, err := s.trainer.AnswerPractice(r.Context(), user(r).ID, id, picked, r.PostFormValue("token"), domain.SourceReview)
	if domain.ErrorCode(err) == domain.EINVALID {
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, pages.Practice(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm.Question = questionVM(q, order, fb.Picked)
	f := feedbackVM(q, order, fb.Picked)
	vm.Feedback = &f
	opts, err := s.trainer.RatingOptions(due.Card)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	keys := []string{"1", "2", "3", "4"}
	for i, o := range opts {
		vm.Ratings = append(vm.Ratings, pages.RatingVM{Value: o.Rating.String(), Label: ratingLabel(o.Rating), Key: keys[i],
			Interval: intervalLabel(o.Interval)})
	}
	s.render(w, r, http.StatusOK, pages.Practice(vm))
}

func (s *Server) handleReviewRate(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	rating, err := srs.ParseRating(r.PostFormValue("rating"))
	if err != nil {
		s.Error(w, r, domain.Errorf(domain.EINVALID, "Rate your recall: again, hard, good or easy."))
		return
	}
	reps, err := strconv.Atoi(r.PostFormValue("reps"))
	if err != nil {
		s.Error(w, r, domain.Errorf(domain.EINVALID, "The form is missing its card state; reload the page."))
		return
	}
	if _, err := s.trainer.Rate(r.Context(), user(r).ID, id, rating, reps); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/review", http.StatusSeeOther)
}

func ratingLabel(r srs.Rating) string {
	return map[srs.Rating]string{srs.Again: "Again", srs.Hard: "Hard", srs.Good: "Good", srs.Easy: "Easy"}[r]
}

func intervalLabel(days int) string {
	switch {
	case days <= 1:
		return "1 day"
	case days < 31:
		return strconv.Itoa(days) + " days"
	case days < 365:
		return strconv.Itoa(int((time.Duration(days)*24*time.Hour).Hours()/24/30+0.5)) + " mo"
	default:
		return strconv.Itoa(days/365) + " y"
	}
}

// handleReviewStats shows the due forecast for the next 7 days, retention and cards by state.
func (s *Server) handleReviewStats(w http.ResponseWriter, r *http.Request) {
	st, err := s.trainer.ReviewStats(r.Context(), user(r).ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.ReviewStatsVM{Page: s.page(r, "Review statistics", "review"), Retention: st.Retention,
		Reviews: st.Reviews, Forgotten: st.Forgotten, New: st.New, Young: st.Young, Mature: st.Mature}
	for _, n := range st.Forecast {
		vm.ForecastMax = max(vm.ForecastMax, n)
	}
	day := s.trainer.Now()
	for i, n := range st.Forecast {
		label := day.AddDate(0, 0, i).Format("Mon")
		if i == 0 {
			label = "Today"
		}
		h := 0
		if vm.ForecastMax > 0 {
			h = 110 * n / vm.ForecastMax
		}
		vm.Forecast = append(vm.Forecast, pages.ForecastDayVM{Label: label, Count: n, X: 5 + 50*i, Y: 128 - h, H: h})
	}
	s.render(w, r, http.StatusOK, pages.ReviewStats(vm))
}

package httpserver

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// practiceFilter reads the filter from the query string, refusing unknown ids.
func (s *Server) practiceFilter(r *http.Request) (quiz.Filter, pages.FilterVM, error) {
	q := r.URL.Query()
	f := quiz.Filter{Domain: q.Get("domain"), Competency: q.Get("competency"), Weakest: q.Get("weakest") == "1"}
	if d := q.Get("difficulty"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3 {
			return f, pages.FilterVM{}, domain.Errorf(domain.EINVALID, "Difficulty must be 1, 2 or 3.")
		}
		f.Difficulty = n
	}
	var label []string
	if f.Domain != "" {
		d := s.catalog.Domain(f.Domain)
		if d == nil {
			return f, pages.FilterVM{}, domain.Errorf(domain.EINVALID, "There is no domain %q.", f.Domain)
		}
		label = append(label, d.Title)
	}
	if f.Competency != "" {
		c := s.catalog.Competency(f.Competency)
		if c == nil {
			return f, pages.FilterVM{}, domain.Errorf(domain.EINVALID, "There is no competency %q.", f.Competency)
		}
		if f.Domain != "" && c.Domain.ID != f.Domain {
			return f, pages.FilterVM{}, domain.Errorf(domain.EINVALID, "The competency %q (%s) belongs to the domain %q, not %q: choose a competency of that domain, or no domain.",
				c.ID, c.Title, c.Domain.ID, f.Domain)
		}
		label = append(label, c.Title)
	}
	if f.Difficulty != 0 {
		label = append(label, []string{"", "recall", "understanding", "applying"}[f.Difficulty])
	}
	if f.Weakest {
		label = append(label, "weakest areas")
	}
	if len(label) == 0 {
		label = append(label, "all questions")
	}
	vals := url.Values{}
	for k, v := range map[string]string{"domain": f.Domain, "competency": f.Competency} {
		if v != "" {
			vals.Set(k, v)
		}
	}
	if f.Difficulty != 0 {
		vals.Set("difficulty", strconv.Itoa(f.Difficulty))
	}
	if f.Weakest {
		vals.Set("weakest", "1")
	}
	return f, pages.FilterVM{Domain: f.Domain, Competency: f.Competency, Difficulty: f.Difficulty, Weakest: f.Weakest,
		Query: vals.Encode(), Label: strings.Join(label, " · ")}, nil
}

func (s *Server) handlePracticeHome(w http.ResponseWriter, r *http.Request) {
	f, _, err := s.practiceFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.PracticeHomeVM{Page: s.page(r, "Practice", "practice"), Questions: len(s.catalog.Questions), Weakest: f.Weakest}
	for _, d := range s.catalog.Domains {
		vm.Domains = append(vm.Domains, pages.SelectOption{Value: d.ID, Label: d.Title, Selected: d.ID == f.Domain})
		for _, c := range d.Competencies {
			vm.Competencies = append(vm.Competencies, pages.SelectOption{Value: c.ID, Label: c.Title, Group: d.Title, Selected: c.ID == f.Competency})
		}
	}
	for i, l := range []string{"Recall", "Understanding", "Applying"} {
		vm.Difficulties = append(vm.Difficulties, pages.SelectOption{Value: strconv.Itoa(i + 1), Label: l, Selected: f.Difficulty == i+1})
	}
	s.render(w, r, http.StatusOK, pages.PracticeHome(vm))
}

// handlePracticeNext picks a question for the filter and redirects to it.
func (s *Server) handlePracticeNext(w http.ResponseWriter, r *http.Request) {
	f, fvm, err := s.practiceFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	q, err := s.trainer.NextPractice(r.Context(), user(r).ID, f, r.URL.Query().Get("skip"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, practiceURL(q.ID, fvm.Query), http.StatusSeeOther)
}

func practiceURL(id, query string) string {
	u := "/practice/q/" + url.PathEscape(id)
	if query != "" {
		u += "?" + query
	}
	return u
}

func (s *Server) practiceVM(r *http.Request, id string) (pages.PracticeVM, error) {
	_, fvm, err := s.practiceFilter(r)
	if err != nil {
		return pages.PracticeVM{}, err
	}
	q, err := s.trainer.Question(r.Context(), user(r).ID, id)
	if err != nil {
		return pages.PracticeVM{}, err
	}
	vm := pages.PracticeVM{
		Page:      s.page(r, "Practice: "+q.Competency.Title, "practice"),
		Filter:    fvm,
		Question:  questionVM(q, practiceOrder(user(r).ID, q), nil),
		ActionURL: practiceURL(q.ID, fvm.Query),
		Token:     newToken(),
		ReportURL: s.reportURL(q.ID),
	}
	next := url.Values{}
	if fvm.Query != "" {
		next, _ = url.ParseQuery(fvm.Query)
	}
	next.Set("skip", q.ID)
	vm.NextURL = "/practice/next?" + next.Encode()
	return vm, nil
}

func (s *Server) handlePracticeQuestion(w http.ResponseWriter, r *http.Request) {
	vm, err := s.practiceVM(r, chi.URLParam(r, "id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.Practice(vm))
}

// handlePracticeAnswer checks the answer and shows the reasons for every option.
func (s *Server) handlePracticeAnswer(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	vm, err := s.practiceVM(r, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	picked, err := pickedFromForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	fb, err := s.trainer.AnswerPractice(r.Context(), user(r).ID, id, picked, r.PostFormValue("token"), domain.SourcePractice)
	if domain.ErrorCode(err) == domain.EINVALID {
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, pages.Practice(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	order := practiceOrder(user(r).ID, fb.Question)
	vm.Question = questionVM(fb.Question, order, fb.Picked)
	f := feedbackVM(fb.Question, order, fb.Picked)
	vm.Feedback = &f
	s.render(w, r, http.StatusOK, pages.Practice(vm))
}

// handleQuestionPage is a question's permanent address (linked from lessons).
func (s *Server) handleQuestionPage(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if s.catalog.Question(id) == nil {
		s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "There is no question %q.", id))
		return
	}
	http.Redirect(w, r, practiceURL(id, ""), http.StatusSeeOther)
}

// reportURL is where a learner reports a problem with a question.
func (s *Server) reportURL(id string) string {
	return "/questions/" + url.PathEscape(id) + "/report"
}

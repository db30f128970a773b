package httpserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) reportForm(r *http.Request) (pages.ReportFormVM, error) {
	id := chi.URLParam(r, "id")
	q := s.catalog.Question(id)
	if q == nil {
		return pages.ReportFormVM{}, domain.Errorf(domain.ENOTFOUND, "There is no question %q.", id)
	}
	vm := pages.ReportFormVM{Page: s.page(r, "Report a problem", "practice"), QuestionID: q.ID, StemHTML: q.StemHTML(), BackURL: practiceURL(q.ID, "")}
	for _, k := range domain.ReportKinds {
		vm.Kinds = append(vm.Kinds, pages.SelectOption{Value: k.Value, Label: k.Label})
	}
	return vm, nil
}

func (s *Server) handleReportForm(w http.ResponseWriter, r *http.Request) {
	vm, err := s.reportForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.ReportForm(vm))
}

func (s *Server) handleReportSubmit(w http.ResponseWriter, r *http.Request) {
	vm, err := s.reportForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	kind, msg := r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("message"))
	err = s.study.AddReport(r.Context(), user(r).ID, vm.QuestionID, kind, msg)
	if domain.ErrorCode(err) == domain.EINVALID {
		vm.Error, vm.Message = domain.ErrorMessage(err), msg
		for i := range vm.Kinds {
			vm.Kinds[i].Selected = vm.Kinds[i].Value == kind
		}
		s.render(w, r, http.StatusUnprocessableEntity, pages.ReportForm(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm.Done = true
	s.render(w, r, http.StatusOK, pages.ReportForm(vm))
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all") == "1"
	reports, err := s.study.Reports(r.Context(), user(r), all)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.ReportsVM{Page: s.page(r, "Question reports", "reports"), All: all}
	for _, rep := range reports {
		row := pages.ReportRowVM{ID: rep.ID, QuestionID: rep.QuestionID, QuestionURL: practiceURL(rep.QuestionID, ""),
			Kind: rep.Kind, Message: rep.Message, Reporter: rep.Reporter, Date: rep.CreatedAt.Format("2 Jan 2006 15:04"),
			Resolved: !rep.ResolvedAt.IsZero(), ResolveURL: "/reports/" + strconv.FormatInt(rep.ID, 10) + "/resolve"}
		if q, err := s.trainer.Question(r.Context(), user(r).ID, rep.QuestionID); err == nil {
			row.File = fmt.Sprintf("%s:%d", q.File, q.Line) // a bank file, or "class ID" for a class's own
		} else {
			row.File = "(no longer in the bank)"
		}
		vm.Reports = append(vm.Reports, row)
	}
	s.render(w, r, http.StatusOK, pages.Reports(vm))
}

func (s *Server) handleResolveReport(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "reportID"), 10, 64)
	if err != nil {
		s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "No such report."))
		return
	}
	if err := s.study.ResolveReport(r.Context(), user(r), id); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/reports", http.StatusSeeOther)
}

package httpserver

import (
	"fmt"
	"net/http"
	"strconv"
	_ "time/tzdata" // time zones typed in forms resolve on hosts without zoneinfo

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) liveRowsVM(classID string, l classroom.LiveExam) pages.LiveRowsVM {
	base := assignmentURL(classID, l.Assignment.ID)
	vm := pages.LiveRowsVM{URL: base + "/live/rows", ExtraURL: base + "/extra", Students: len(l.Rows), Now: localTime(l.Now)}
	vm.Started, vm.Submitted = l.Counts()
	for _, r := range l.Rows {
		row := pages.LiveRowVM{UserID: r.UserID, Username: r.Username, Name: r.Name, Answered: r.Answered, Total: r.Total,
			Extra: r.ExtraMinutes, State: "not started"}
		switch {
		case !r.SubmittedAt.IsZero():
			row.State, row.Score = "submitted", fmt.Sprintf("(%d/%d)", r.Score, r.MaxScore)
		case r.ExamID != 0 && l.Now.Before(r.Deadline):
			row.State, row.Deadline = "in progress", localTime(r.Deadline)
		case r.ExamID != 0:
			row.State = "time up"
		}
		vm.Rows = append(vm.Rows, row)
	}
	return vm
}

func (s *Server) handleLiveExam(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	id, err := pathID(r, "aid")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	l, err := s.classroom.Live(r.Context(), user(r), classID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	class, err := s.classroom.Teach(r.Context(), user(r), classID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.LiveExamVM{Page: s.page(r, "Live: "+l.Assignment.Title, ""), Nav: s.classNav(classID, class.Title, "assignments"),
		Assignment: assignmentRow(l.Assignment), Rows: s.liveRowsVM(classID, l),
		OpenURL: assignmentURL(classID, id) + "/open", Window: strconv.Itoa(l.Assignment.Minutes + 10)}
	s.render(w, r, http.StatusOK, pages.LiveExam(vm))
}

func (s *Server) handleLiveRows(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	id, err := pathID(r, "aid")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	l, err := s.classroom.Live(r.Context(), user(r), classID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.LiveRows(s.liveRowsVM(classID, l)))
}

func (s *Server) handleOpenLive(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	id, err := pathID(r, "aid")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	minutes, err := formInt(r.PostFormValue("minutes"), "The window")
	if err == nil {
		err = s.classroom.OpenLive(r.Context(), user(r), classID, id, minutes)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, assignmentURL(classID, id)+"/live", http.StatusSeeOther)
}

func (s *Server) handleExtraTime(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	id, err := pathID(r, "aid")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	uid, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil {
		s.Error(w, r, domain.Errorf(domain.EINVALID, "Say which student gets extra time."))
		return
	}
	extra, err := formInt(r.PostFormValue("extra"), "Extra time")
	if err == nil {
		err = s.classroom.Accommodate(r.Context(), user(r), classID, id, uid, extra)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, assignmentURL(classID, id)+"/live", http.StatusSeeOther)
}

package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// ClassLabPool is what the class page's pre-warm ("N lab environments ready at 9:00") needs
// from the lab engine (lab.Service). Who may use it is the classroom's answer (Teach): the
// class's instructors and admins.
type ClassLabPool interface {
	CanPool() bool
	WarmLead(n int) time.Duration
	ScheduleWarm(ctx context.Context, classID string, by int64, n int, at time.Time) (*domain.LabWarmSchedule, error)
	WarmSchedules(ctx context.Context, classID string) ([]*domain.LabWarmSchedule, error)
	CancelWarm(ctx context.Context, classID string, id int64) error
	Overview(ctx context.Context) (domain.LabPoolOverview, error)
}

func (s *Server) classLabRoutes(r chi.Router) {
	r.Post("/classes/{classID}/lab-pool", s.handleScheduleWarm)
	r.Post("/classes/{classID}/lab-pool/{warmID}/cancel", s.handleCancelWarm)
}

// labPool is the lab engine's pool side, or nil when this server runs no labs.
func (s *Server) labPool() ClassLabPool {
	p, _ := s.labs.(ClassLabPool)
	return p
}

// classLabsVM is the class page's lab section: the pool's state and the class's pre-warms.
func (s *Server) classLabsVM(ctx context.Context, classID string) pages.ClassLabsVM {
	vm := pages.ClassLabsVM{ClassID: classID}
	p := s.labPool()
	if p == nil {
		vm.Why = "This server runs no labs."
		return vm
	}
	o, err := p.Overview(ctx)
	if err != nil {
		s.logger.Warn("class page: lab pool", "class", classID, "error", err)
		vm.Why = "The lab pool's state cannot be read now."
		return vm
	}
	if !o.CanPool {
		vm.Why = fmt.Sprintf("The %s lab backend cannot prepare environments in advance.", o.Backend)
		return vm
	}
	vm.CanPool = true
	vm.Ready, vm.Preparing, vm.Target = o.Ready, o.Preparing, o.Target
	vm.Estimate = o.Estimate.Round(time.Second).String()
	ws, err := p.WarmSchedules(ctx, classID)
	if err != nil {
		s.logger.Warn("class page: pre-warms", "class", classID, "error", err)
	}
	for _, w := range ws {
		vm.Schedules = append(vm.Schedules, pages.WarmVM{ID: strconv.FormatInt(w.ID, 10), Count: w.Count,
			ReadyAt: localTime(w.ReadyAt), StartsAt: localTime(w.ReadyAt.Add(-p.WarmLead(w.Count))),
			State: string(w.State), Note: w.Error, Pending: w.State.Pending()})
	}
	return vm
}

// handleScheduleWarm schedules (or, for a time the class has already, updates) a pre-warm.
func (s *Server) handleScheduleWarm(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	if _, err := s.classroom.Teach(r.Context(), user(r), classID); err != nil {
		s.Error(w, r, err)
		return
	}
	p := s.labPool()
	if p == nil {
		s.Error(w, r, domain.Errorf(domain.EUNAVAILABLE, "This server runs no labs."))
		return
	}
	count, atText := r.PostFormValue("count"), r.PostFormValue("at")
	n, err := formInt(count, "The number of environments")
	var at time.Time
	if err == nil {
		at, err = parseFormTime(atText, r.PostFormValue("tz"), "ready")
	}
	if err == nil && at.IsZero() {
		err = domain.Errorf(domain.EINVALID, "Say when the environments must be ready.")
	}
	if err == nil {
		_, err = p.ScheduleWarm(r.Context(), classID, user(r).ID, n, at)
	}
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.EUNAVAILABLE {
		// The class page again, with the message and what was typed.
		vm, verr := s.classVM(r, "")
		if verr != nil {
			s.Error(w, r, verr)
			return
		}
		vm.Labs.Error, vm.Labs.Count, vm.Labs.At = domain.ErrorMessage(err), count, atText
		s.render(w, r, http.StatusUnprocessableEntity, pages.Class(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/classes/"+classID+"?done=warm#labs", http.StatusSeeOther)
}

func (s *Server) handleCancelWarm(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	if _, err := s.classroom.Teach(r.Context(), user(r), classID); err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := pathID(r, "warmID")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := s.labPool()
	if p == nil {
		s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "There is no such pre-warm."))
		return
	}
	if err := p.CancelWarm(r.Context(), classID, id); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/classes/"+classID+"?done=warm-cancelled#labs", http.StatusSeeOther)
}

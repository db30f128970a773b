package lab

import (
	"context"
	"fmt"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Pre-warming (issue 11): an instructor asks for N environments ready at a time ("20 at 9:00",
// from the class page or `server lab pool warm N --at 09:00`). The schedule is a row in the
// store, so it survives a restart; the pool loop raises its target to N early enough that N are
// ready at that time (it knows roughly how long one environment takes: the average of those it
// prepared, or a default until it has prepared one), keeps them there until that time (a learner
// who starts early claims one and it is replaced), and then records how many were ready.

// WarmStore is what pre-warming keeps in the database (internal/store implements it).
type WarmStore interface {
	ScheduleLabWarm(ctx context.Context, w *domain.LabWarmSchedule) error
	LabWarmSchedules(ctx context.Context, classID string, since time.Time) ([]*domain.LabWarmSchedule, error)
	PendingLabWarms(ctx context.Context) ([]*domain.LabWarmSchedule, error)
	SetLabWarmState(ctx context.Context, id int64, from []domain.LabWarmState, to domain.LabWarmState, errMsg string) error
	CancelLabWarm(ctx context.Context, classID string, id int64) error
}

// MaxWarm bounds one pre-warm: every environment is a kind cluster in cluster isolation.
const MaxWarm = 200

// missedAfter: a schedule whose time passed this long ago while no server ran it is missed,
// not started late.
const missedAfter = time.Hour

// defaultPrepare is how long one environment is assumed to take until the pool has prepared
// one (a kind cluster on a loaded two-core machine; a namespace takes seconds).
const defaultPrepare = 90 * time.Second

// warmParallel is how many environments fillPool prepares at once.
const warmParallel = 2

func (s *Service) warmStore() (WarmStore, bool) {
	ws, ok := s.store.(WarmStore)
	return ws, ok
}

// CanPool says whether this server can prepare environments in advance (a warm pool, a
// pre-warm for a class).
func (s *Service) CanPool() bool {
	_, _, ok := s.pooling()
	_, wok := s.warmStore()
	return ok && wok
}

// PrepareEstimate is how long the pool takes to prepare one environment: the running average
// of those it prepared, or a default.
func (s *Service) PrepareEstimate() time.Duration {
	if d := time.Duration(s.pool.prepareNanos.Load()); d > 0 {
		return d
	}
	return defaultPrepare
}

// observePrepare folds one preparation's duration into the estimate.
func (s *Service) observePrepare(d time.Duration) {
	for {
		old := s.pool.prepareNanos.Load()
		next := int64(d)
		if old > 0 {
			next = (3*old + int64(d)) / 4
		}
		if s.pool.prepareNanos.CompareAndSwap(old, next) {
			return
		}
	}
}

// WarmLead is how long before its time a pre-warm of n environments starts: n environments,
// warmParallel at a time, at the estimate each, with half as much again and two minutes to
// spare (a loaded machine is slower than the average).
func (s *Service) WarmLead(n int) time.Duration {
	rounds := (n + warmParallel - 1) / warmParallel
	return time.Duration(rounds)*s.PrepareEstimate()*3/2 + 2*time.Minute
}

// ScheduleWarm asks for n environments ready at time at, for class classID ("" from the
// command line), by user by (0: the command line). The caller has checked that by may teach
// the class. Asking again for the same class and time updates that schedule (a double submit
// makes one).
func (s *Service) ScheduleWarm(ctx context.Context, classID string, by int64, n int, at time.Time) (*domain.LabWarmSchedule, error) {
	ws, ok := s.warmStore()
	if !ok || !s.CanPool() {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "The %s lab backend cannot prepare environments in advance.", s.backend.Name())
	}
	if n < 1 || n > MaxWarm {
		return nil, domain.Errorf(domain.EINVALID, "Ask for 1 to %d environments (asked for %d).", MaxWarm, n)
	}
	at = at.Truncate(time.Minute)
	if !at.After(s.now()) {
		return nil, domain.Errorf(domain.EINVALID, "Pick a time in the future (%s has passed).", at.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if at.After(s.now().AddDate(0, 0, 90)) {
		return nil, domain.Errorf(domain.EINVALID, "Pick a time within 90 days.")
	}
	w := &domain.LabWarmSchedule{ClassID: classID, Count: n, ReadyAt: at, CreatedBy: by}
	if err := ws.ScheduleLabWarm(ctx, w); err != nil {
		return nil, err
	}
	s.logger.Info("lab pool: pre-warm scheduled", "class", classID, "count", n, "ready_at", at,
		"starts_at", at.Add(-s.WarmLead(n)))
	s.kickPool()
	return w, nil
}

// WarmSchedules returns the class's pre-warms ("" for the command line's): pending ones and
// those of the last day.
func (s *Service) WarmSchedules(ctx context.Context, classID string) ([]*domain.LabWarmSchedule, error) {
	ws, ok := s.warmStore()
	if !ok {
		return nil, nil
	}
	return ws.LabWarmSchedules(ctx, classID, s.now().Add(-24*time.Hour))
}

// CancelWarm cancels the class's pre-warm id. Environments it prepared stay in the pool.
func (s *Service) CancelWarm(ctx context.Context, classID string, id int64) error {
	ws, ok := s.warmStore()
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "There is no such pre-warm.")
	}
	if err := ws.CancelLabWarm(ctx, classID, id); err != nil {
		return err
	}
	s.kickPool()
	return nil
}

// Overview returns the pool's state.
func (s *Service) Overview(ctx context.Context) (domain.LabPoolOverview, error) {
	o := domain.LabPoolOverview{Backend: s.backend.Name(), CanPool: s.CanPool(), Target: s.PoolTarget(), Estimate: s.PrepareEstimate()}
	envs, err := s.PoolStatus(ctx)
	if err != nil {
		return o, err
	}
	for _, e := range envs {
		if e.State == domain.LabPoolReady {
			o.Ready++
		} else {
			o.Preparing++
		}
	}
	return o, nil
}

// RunSchedules moves pre-warms along (scheduled -> warming at their start, warming -> done
// at their time, missed when their time passed long before a server saw them) and returns
// how many environments the pool must hold now: the standing target, or the sum of the
// pre-warms between their start and their time when that is more. The pool loop calls it
// before every refill; tests call it directly.
func (s *Service) RunSchedules(ctx context.Context) (int, error) {
	target := s.PoolTarget()
	ws, ok := s.warmStore()
	if !ok || !s.CanPool() {
		return target, nil
	}
	pending, err := ws.PendingLabWarms(ctx)
	if err != nil {
		return target, err
	}
	now := s.now()
	warming := 0
	for _, w := range pending {
		start := w.ReadyAt.Add(-s.WarmLead(w.Count))
		switch {
		case w.State == domain.LabWarmScheduled && now.Sub(w.ReadyAt) >= missedAfter:
			s.setWarm(ctx, ws, w, domain.LabWarmMissed, "No server ran while this pre-warm was due.")
		case !now.Before(w.ReadyAt):
			s.finishWarm(ctx, ws, w)
		case !now.Before(start):
			if w.State == domain.LabWarmScheduled {
				if !s.setWarm(ctx, ws, w, domain.LabWarmWarming, "") {
					continue
				}
				s.logger.Info("lab pool: pre-warm started", "class", w.ClassID, "count", w.Count, "ready_at", w.ReadyAt)
			}
			warming += w.Count
		}
	}
	return max(target, warming), nil
}

func (s *Service) setWarm(ctx context.Context, ws WarmStore, w *domain.LabWarmSchedule, to domain.LabWarmState, msg string) bool {
	err := ws.SetLabWarmState(ctx, w.ID, []domain.LabWarmState{domain.LabWarmScheduled, domain.LabWarmWarming}, to, msg)
	if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		s.logger.Error("lab pool: pre-warm state", "id", w.ID, "to", to, "error", err)
	}
	return err == nil
}

// finishWarm records, at a pre-warm's time, how many environments were ready.
func (s *Service) finishWarm(ctx context.Context, ws WarmStore, w *domain.LabWarmSchedule) {
	o, err := s.Overview(ctx)
	if err != nil {
		s.logger.Error("lab pool: pre-warm outcome", "id", w.ID, "error", err)
		return
	}
	switch {
	case o.Ready >= w.Count:
		s.setWarm(ctx, ws, w, domain.LabWarmDone, "")
	case o.Ready == 0:
		s.setWarm(ctx, ws, w, domain.LabWarmFailed, fmt.Sprintf("None of the %d environments was ready in time.", w.Count))
	default:
		s.setWarm(ctx, ws, w, domain.LabWarmDone, fmt.Sprintf("%d of %d environments were ready in time.", o.Ready, w.Count))
	}
	s.logger.Info("lab pool: pre-warm time reached", "class", w.ClassID, "count", w.Count, "ready", o.Ready)
}

package lab_test

import (
	"context"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// An instructor's pre-warm on the fake pooling backend and the real store, with a clock the
// test moves: it survives a restart, a double submit makes one schedule, warming starts early
// enough, the pool holds N at the time, and then the schedule records the outcome.
func TestWarmSchedule(t *testing.T) {
	f := newPoolFixture(t)
	t0 := time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC)
	clock := testenv.NewClock(t0)
	ctx := context.Background()
	first := f.service(t, lab.WithClock(clock.Now))
	at := t0.Add(time.Hour) // 9:00

	for _, bad := range []struct {
		n  int
		at time.Time
	}{{0, at}, {lab.MaxWarm + 1, at}, {3, t0.Add(-time.Minute)}, {3, t0.AddDate(1, 0, 0)}} {
		if _, err := first.ScheduleWarm(ctx, "c1", 0, bad.n, bad.at); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ScheduleWarm(%d, %s) = %v, want EINVALID", bad.n, bad.at, err)
		}
	}
	w, err := first.ScheduleWarm(ctx, "c1", 0, 2, at.Add(20*time.Second)) // read to the minute
	if err != nil {
		t.Fatal(err)
	}
	if !w.ReadyAt.Equal(at) || w.State != domain.LabWarmScheduled {
		t.Fatalf("scheduled %+v", w)
	}
	// The double submit (here with a corrected count) and the restart.
	first.Close()
	s := f.service(t, lab.WithClock(clock.Now))
	if _, err := s.ScheduleWarm(ctx, "c1", 0, 3, at); err != nil {
		t.Fatal(err)
	}
	ws, err := s.WarmSchedules(ctx, "c1")
	if err != nil || len(ws) != 1 || ws[0].Count != 3 || ws[0].ID != w.ID {
		t.Fatalf("after a double submit: %+v (%v), want one schedule of 3", ws, err)
	}
	if other, _ := s.WarmSchedules(ctx, "c2"); len(other) != 0 {
		t.Errorf("another class sees %+v", other)
	}

	// Long before its start nothing happens; at its start the target rises to 3.
	lead := s.WarmLead(3)
	if lead < 2*time.Minute || lead > time.Hour {
		t.Fatalf("lead for 3 = %s", lead)
	}
	if n, err := s.RunSchedules(ctx); err != nil || n != 0 {
		t.Fatalf("an hour early: target %d (%v), want 0", n, err)
	}
	clock.Add(time.Hour - lead)
	if n, err := s.RunSchedules(ctx); err != nil || n != 3 {
		t.Fatalf("at its start: target %d (%v), want 3", n, err)
	}
	if ws, _ := s.WarmSchedules(ctx, "c1"); ws[0].State != domain.LabWarmWarming {
		t.Fatalf("at its start the schedule is %s", ws[0].State)
	}
	if err := s.WarmPool(ctx, 3); err != nil { // what the pool loop does with the target
		t.Fatal(err)
	}
	// A learner who starts early takes one; the target is still 3, so it is replaced.
	if _, err := s.Start(ctx, f.alice, "scale-web"); err != nil {
		t.Fatal(err)
	}
	if sess := waitLab(t, s, f.alice, "scale-web"); sess.State != domain.LabReady {
		t.Fatalf("warm start %s: %s", sess.State, sess.Error)
	}
	if n, _ := s.RunSchedules(ctx); n != 3 {
		t.Fatalf("after an early claim: target %d, want 3", n)
	}
	if err := s.WarmPool(ctx, 3); err != nil {
		t.Fatal(err)
	}
	o, err := s.Overview(ctx)
	if err != nil || o.Ready != 3 || !o.CanPool {
		t.Fatalf("overview %+v (%v), want 3 ready", o, err)
	}
	// At 9:00 the schedule ends and records that all were ready; the target falls back.
	clock.Add(lead)
	if n, _ := s.RunSchedules(ctx); n != 0 {
		t.Errorf("after its time: target %d, want 0", n)
	}
	ws, _ = s.WarmSchedules(ctx, "c1")
	if ws[0].State != domain.LabWarmDone || ws[0].Error != "" || ws[0].StartedAt.IsZero() || ws[0].DoneAt.IsZero() {
		t.Errorf("after its time: %+v", ws[0])
	}
	if err := s.CancelWarm(ctx, "c1", ws[0].ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("cancelling a finished pre-warm: %v, want ECONFLICT", err)
	}

	// A second pre-warm, cancelled, never raises the target; another class cannot cancel it.
	w2, err := s.ScheduleWarm(ctx, "c1", 0, 5, clock.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CancelWarm(ctx, "c2", w2.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("another class cancels it: %v, want ENOTFOUND", err)
	}
	if err := s.CancelWarm(ctx, "c1", w2.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.RunSchedules(ctx); n != 0 {
		t.Errorf("a cancelled pre-warm raised the target to %d", n)
	}

	// One whose time passed long ago while no server ran is missed, not started late.
	w3, err := s.ScheduleWarm(ctx, "c1", 0, 1, clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(3 * time.Hour)
	if n, _ := s.RunSchedules(ctx); n != 0 {
		t.Errorf("a missed pre-warm raised the target to %d", n)
	}
	for _, w := range mustSchedules(t, s, "c1") {
		if w.ID == w3.ID && w.State != domain.LabWarmMissed {
			t.Errorf("a pre-warm 2 h late is %s, want missed", w.State)
		}
	}
}

// A backend that cannot pool refuses pre-warms with a clear error.
func TestWarmNeedsAPool(t *testing.T) {
	f := newFixture(t)
	s := f.service(t)
	_, err := s.ScheduleWarm(context.Background(), "c1", 0, 3, time.Now().Add(time.Hour))
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || s.CanPool() {
		t.Errorf("ScheduleWarm on a backend without a pool: %v (CanPool %v), want EUNAVAILABLE", err, s.CanPool())
	}
}

// The pool loop itself (Run) raises the pool to a due pre-warm with no standing pool.
func TestWarmScheduleRunsInTheLoop(t *testing.T) {
	f := newPoolFixture(t)
	s := f.service(t, lab.WithReconcileInterval(20*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Due at once: its start (now + 1 minute - lead) has passed.
	if _, err := s.ScheduleWarm(ctx, "c1", 0, 2, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(time.Minute)
	for len(ready(t, s)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the loop prepared %d of 2", len(ready(t, s)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ws := mustSchedules(t, s, "c1"); ws[0].State != domain.LabWarmWarming {
		t.Errorf("schedule is %s while its environments are prepared", ws[0].State)
	}
}

func mustSchedules(t *testing.T, s *lab.Service, classID string) []*domain.LabWarmSchedule {
	t.Helper()
	ws, err := s.WarmSchedules(context.Background(), classID)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

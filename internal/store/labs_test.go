package store

import (
	"context"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

func TestLabInstanceIsStable(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	a, err := db.LabInstance(ctx)
	if err != nil || len(a) != 12 {
		t.Fatalf("instance = %q, %v", a, err)
	}
	b, _ := db.LabInstance(ctx)
	if a != b {
		t.Errorf("instance changed: %s then %s", a, b)
	}
}

func TestLabSessionLifecycle(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	db, err := Open(context.Background(), t.TempDir()+"/k.db", WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	alice, _ := db.CreateUser(ctx, "alice", "Alice", domain.RoleLearner)
	bob, _ := db.CreateUser(ctx, "bob", "Bob", domain.RoleLearner)

	s := &domain.LabSession{ID: "s1", UserID: alice.ID, LabID: "scale", Backend: "kind", Cluster: "c", Namespace: "lab-scale"}
	if err := db.CreateLabSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	dup := &domain.LabSession{ID: "s2", UserID: alice.ID, LabID: "scale", Backend: "kind"}
	if err := db.CreateLabSession(ctx, dup); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second active session: %v", err)
	}
	// Another learner's sessions are invisible and untouchable.
	if _, err := db.LabSession(ctx, bob.ID, "scale"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bob sees alice's lab: %v", err)
	}
	if err := db.TouchLabSession(ctx, bob.ID, "s1"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bob touched alice's session: %v", err)
	}
	if err := db.StartLabJob(ctx, bob.ID, "s1", []domain.LabState{domain.LabProvisioning}, domain.LabStopping, "stop"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bob stopped alice's session: %v", err)
	}

	for _, step := range []string{"Create cluster", "Apply set-up"} {
		if err := db.StartLabStep(ctx, alice.ID, "s1", step); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Second)
	}
	got, err := db.LabSession(ctx, alice.ID, "scale")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Steps) != 2 || got.Steps[0].Running() || !got.Steps[1].Running() || got.Steps[0].EndedAt.Sub(got.Steps[0].StartedAt) != 2*time.Second {
		t.Fatalf("steps = %+v", got.Steps)
	}
	// Reset is refused while provisioning.
	if err := db.StartLabJob(ctx, alice.ID, "s1", []domain.LabState{domain.LabReady}, domain.LabResetting, "reset"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("reset while provisioning: %v", err)
	}
	if err := db.EndLabSteps(ctx, alice.ID, "s1", ""); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLabJob(ctx, alice.ID, "s1", domain.LabReady, ""); err != nil {
		t.Fatal(err)
	}
	rep := &domain.LabReport{CheckedAt: now, Took: time.Second, Tasks: []domain.LabTaskResult{{ID: "t", Checks: []domain.LabCheckResult{
		{ID: "a", Message: "m", Passed: true}, {ID: "b", Message: "n", Detail: "observed: 2"}}}}}
	if err := db.SaveLabReport(ctx, alice.ID, "s1", rep); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 2, 2} {
		if n, err := db.RevealLabHint(ctx, alice.ID, "s1", "t", 2); err != nil || n != want {
			t.Errorf("reveal %d = %d, %v", i, n, err)
		}
	}
	// A reset starts a new job: the page shows only its steps.
	if err := db.StartLabJob(ctx, alice.ID, "s1", []domain.LabState{domain.LabReady}, domain.LabResetting, "reset"); err != nil {
		t.Fatal(err)
	}
	if err := db.StartLabStep(ctx, alice.ID, "s1", "Wipe namespace"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.LabSessionByID(ctx, alice.ID, "s1")
	if got.State != domain.LabResetting || got.Job != "reset" || len(got.Steps) != 1 || got.Steps[0].Name != "Wipe namespace" ||
		got.Hints["t"] != 2 || got.LastReport == nil || got.LastReport.Tasks[0].Checks[1].Detail != "observed: 2" || got.ReadyAt.IsZero() {
		t.Fatalf("after reset: %+v", got)
	}
	all, _ := db.AllActiveLabSessions(ctx)
	mine, _ := db.ActiveLabSessions(ctx, alice.ID)
	theirs, _ := db.ActiveLabSessions(ctx, bob.ID)
	if len(all) != 1 || len(mine) != 1 || len(theirs) != 0 {
		t.Errorf("active: all %d, alice %d, bob %d", len(all), len(mine), len(theirs))
	}
	if err := db.FinishLabJob(ctx, alice.ID, "s1", domain.LabEnded, ""); err != nil {
		t.Fatal(err)
	}
	// Ended: a new session of the same lab may start, and becomes the latest.
	if err := db.CreateLabSession(ctx, dup); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	got, _ = db.LabSession(ctx, alice.ID, "scale")
	if got.ID != "s2" || got.State != domain.LabProvisioning {
		t.Errorf("latest = %+v", got)
	}
}

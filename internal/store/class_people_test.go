package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

func tokenHash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func peopleDB(t testing.TB) (*store.DB, *testenv.Clock, *domain.User) {
	t.Helper()
	clock := testenv.NewClock(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
	db := testenv.MustOpenDB(t, clock)
	teacher := testenv.MustCreateUser(t, db, "teacher", domain.RoleInstructor)
	if err := db.CreateClass(context.Background(), &domain.Class{ID: "c1", Title: "C1", Sections: []string{"a"}}, teacher.ID); err != nil {
		t.Fatal(err)
	}
	return db, clock, teacher
}

func rosterRows(names ...string) []domain.RosterAccount {
	out := make([]domain.RosterAccount, len(names))
	for i, n := range names {
		out[i] = domain.RosterAccount{Row: domain.RosterRow{Line: i + 2, Username: n, Name: "N " + n}, TokenHash: tokenHash("t-" + n)}
	}
	return out
}

// An import is all or nothing: a row the database refuses (a section the class lacks) rolls
// back every account and membership before it.
func TestImportRosterAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db, clock, teacher := peopleDB(t)
	testenv.MustCreateUser(t, db, "old", domain.RoleLearner)
	rows := rosterRows("ana", "old", "teacher", "bob")
	rows[3].Row.Section = "nope"
	if _, err := db.ImportRoster(ctx, "c1", rows, teacher.ID, clock.Now().Add(time.Hour)); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("import with a bad section: %v, want invalid", err)
	}
	if _, err := db.UserByUsername(ctx, "ana"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("ana was created by a refused import: %v", err)
	}
	if roster, _ := db.ClassRoster(ctx, "c1"); len(roster) != 1 {
		t.Errorf("roster after a refused import has %d people, want the instructor only", len(roster))
	}
	rows[3].Row.Section = "a"
	created, err := db.ImportRoster(ctx, "c1", rows, teacher.ID, clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(created) != "[true false false true]" {
		t.Errorf("created = %v: existing accounts must be added, not recreated", created)
	}
	// Importing again creates nothing and leaves one membership each; the instructor stays one.
	created, err = db.ImportRoster(ctx, "c1", rows, teacher.ID, clock.Now().Add(time.Hour))
	if err != nil || fmt.Sprint(created) != "[false false false false]" {
		t.Fatalf("second import: %v %v", created, err)
	}
	roster, _ := db.ClassRoster(ctx, "c1")
	roles := map[string]string{}
	for _, m := range roster {
		roles[m.User.Username] = string(m.Role) + fmt.Sprint(m.PasswordSet)
	}
	if len(roster) != 4 || roles["teacher"] != "instructorfalse" || roles["ana"] != "studentfalse" || roles["bob"] != "studentfalse" {
		t.Errorf("roster: %v", roles)
	}
}

// A set-password token works once, only before it expires, and a reset voids older ones.
func TestPasswordTokens(t *testing.T) {
	ctx := context.Background()
	db, clock, teacher := peopleDB(t)
	if _, err := db.ImportRoster(ctx, "c1", rosterRows("ana", "bob"), teacher.ID, clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if u, err := db.PasswordTokenUser(ctx, tokenHash("t-ana")); err != nil || u.Username != "ana" {
		t.Fatalf("token user: %v %v", u, err)
	}
	u, gen, err := db.UsePasswordToken(ctx, tokenHash("t-ana"), "hash-1")
	if err != nil || u.Username != "ana" {
		t.Fatalf("use token: %v %d %v", u, gen, err)
	}
	// The generation returned is the account's new one (it starts random, migration 00091, and
	// setting the password moved it on by one): a session of it is live, one of before is not.
	if _, err := db.SessionUser(ctx, u.ID, gen); err != nil {
		t.Errorf("a session of the new generation: %v", err)
	}
	if _, err := db.SessionUser(ctx, u.ID, gen-1); err == nil {
		t.Error("a session of the generation before the password was set is live")
	}
	if _, _, err := db.UsePasswordToken(ctx, tokenHash("t-ana"), "hash-2"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("second use: %v, want not found", err)
	}
	if cred, _ := db.CredentialsByUsername(ctx, "ana"); cred.PasswordHash != "hash-1" {
		t.Errorf("a spent token changed the password again: %q", cred.PasswordHash)
	}
	// Expired.
	clock.Add(time.Hour)
	if _, _, err := db.UsePasswordToken(ctx, tokenHash("t-bob"), "x"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("expired token: %v", err)
	}
	// A reset voids the old token and the password, and moves the session generation on.
	bob, _ := db.UserByUsername(ctx, "bob")
	ana, _ := db.UserByUsername(ctx, "ana")
	if _, err := db.ResetStudentPassword(ctx, "c1", ana.ID, tokenHash("r1"), teacher.ID, clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CredentialsByUsername(ctx, "ana"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("ana's old password still works after a reset: %v", err)
	}
	if _, err := db.SessionUser(ctx, ana.ID, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("ana's session survived the reset: %v", err)
	}
	if _, err := db.ResetStudentPassword(ctx, "c1", ana.ID, tokenHash("r2"), teacher.ID, clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UsePasswordToken(ctx, tokenHash("r1"), "x"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a link replaced by a newer reset still works: %v", err)
	}
	// A disabled account spends nothing.
	if err := db.SetStudentDisabled(ctx, "c1", ana.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UsePasswordToken(ctx, tokenHash("r2"), "x"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("disabled: %v, want forbidden", err)
	}
	if err := db.SetStudentDisabled(ctx, "c1", ana.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UsePasswordToken(ctx, tokenHash("r2"), "hash-3"); err != nil {
		t.Errorf("the newest link after enabling: %v", err)
	}
	// Instructors act on the class's ordinary students only: not on themselves, not on
	// people outside the class.
	if _, err := db.ResetStudentPassword(ctx, "c1", teacher.ID, tokenHash("r3"), teacher.ID, clock.Now().Add(time.Hour)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("reset of an instructor: %v", err)
	}
	if err := db.RemoveStudent(ctx, "c1", bob.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetStudentDisabled(ctx, "c1", bob.ID, true); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("disable after removal: %v", err)
	}
}

// Two uses of one token at once: exactly one wins (the UPDATE's WHERE, not a check before it).
func TestPasswordTokenRace(t *testing.T) {
	ctx := context.Background()
	db, clock, teacher := peopleDB(t)
	if _, err := db.ImportRoster(ctx, "c1", rosterRows("ana"), teacher.ID, clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := range 8 {
		wg.Go(func() {
			if _, _, err := db.UsePasswordToken(ctx, tokenHash("t-ana"), fmt.Sprint("h", i)); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d uses of one token succeeded, want 1", wins)
	}
}

// Joining twice is one membership; a rotated code stops working; an instructor following the
// link stays an instructor.
func TestJoinByCode(t *testing.T) {
	ctx := context.Background()
	db, _, teacher := peopleDB(t)
	ana := testenv.MustCreateUser(t, db, "ana", domain.RoleLearner)
	if err := db.SetInviteCode(ctx, "c1", "code1"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := db.JoinClass(ctx, "code1", ana.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.JoinClass(ctx, "code1", teacher.ID); err != nil {
		t.Fatal(err)
	}
	if role, _ := db.ClassRoleOf(ctx, "c1", teacher.ID); role != domain.ClassInstructor {
		t.Errorf("the instructor became a %s by following the link", role)
	}
	if roster, _ := db.ClassRoster(ctx, "c1"); len(roster) != 2 {
		t.Errorf("roster has %d people after joining twice, want 2", len(roster))
	}
	if err := db.SetInviteCode(ctx, "c1", "code2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.JoinClass(ctx, "code1", ana.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("old code after rotation: %v", err)
	}
}

// BenchmarkImportRoster measures a whole import (one transaction) of 300 and 3,000 new accounts.
func BenchmarkImportRoster(b *testing.B) {
	for _, n := range []int{300, 3000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				db, clock, teacher := peopleDB(b)
				names := make([]string, n)
				for j := range names {
					names[j] = fmt.Sprintf("s%05d", j)
				}
				rows := rosterRows(names...)
				b.StartTimer()
				if _, err := db.ImportRoster(ctx, "c1", rows, teacher.ID, clock.Now().Add(time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

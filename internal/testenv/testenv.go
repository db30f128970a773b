// Package testenv is kcnaprep's one test harness, in the style of benbjohnson/wtf's MustOpenDB
// and MustOpenServer: each Must function builds a real part for a test and registers its
// clean-up, failing the test at once if it cannot.
//
//   - MustLoadContent, MustLoadRepoContent: content loaded by the real loaders (catalog and lab
//     engine) from generated or repository files.
//   - MustOpenDB: the real store on a SQLite file in the test's temporary directory, on a Clock
//     the test can move.
//   - MustCreateUser, MustCreateAccount, MustLocalUser: users.
//   - MustOpenServer: the real HTTP server with the real services, on a loopback port.
//
// Two parts are fakes because the real ones cannot run in -short tests, and say so: the Clock
// (tests move time instead of waiting) and FakeBackend (a lab backend without clusters; kind
// runs in the TestIntegration* tests).
package testenv

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

// Content is loaded content: the catalog and the lab engine's bundles.
type Content struct {
	Catalog *catalog.Catalog
	Bundles bundle.Bundles
}

// MustLoadContent loads the generated test content (testcontent.Write with overrides) with
// both loaders, the catalog's and the lab engine's.
func MustLoadContent(tb testing.TB, overrides map[string]string) *Content {
	tb.Helper()
	return MustLoadDir(tb, testcontent.Write(tb, overrides))
}

// MustLoadRepoContent loads the repository's curriculum and labs (testcontent.RepoTree).
func MustLoadRepoContent(tb testing.TB) *Content {
	tb.Helper()
	return MustLoadDir(tb, testcontent.RepoTree(tb))
}

// MustLoadDir loads the content tree in dir (content/, quizzes/, labs/) with both loaders.
func MustLoadDir(tb testing.TB, dir string) *Content {
	tb.Helper()
	src, err := catalog.DirSources(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return MustLoad(tb, src)
}

// MustLoad loads content from src with both loaders.
func MustLoad(tb testing.TB, src catalog.Sources) *Content {
	tb.Helper()
	bundles := bundle.Bundles{}
	cat, err := catalog.Load(src, catalog.WithLabLoader(bundle.Loader(bundles)))
	if err != nil {
		tb.Fatal(err)
	}
	return &Content{Catalog: cat, Bundles: bundles}
}

// Clock is a fake clock for the store. A stopped clock (NewClock) reads the same time until
// the test moves it; a running clock (RunningClock) follows real time, ahead by what the test
// added. It is safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	running bool
	t       time.Time     // a stopped clock's time
	ahead   time.Duration // a running clock's lead over real time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// RunningClock returns a clock that runs with real time until the test moves it ahead.
func RunningClock() *Clock { return &Clock{running: true} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().Add(c.ahead)
	}
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.ahead += d
	} else {
		c.t = c.t.Add(d)
	}
}

// MustOpenDB opens and migrates the real store on a new SQLite file in the test's temporary
// directory, on clock (a RunningClock when nil), and closes it when the test ends.
func MustOpenDB(tb testing.TB, clock *Clock) *store.DB {
	tb.Helper()
	if clock == nil {
		clock = RunningClock()
	}
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "kcnaprep.db"), store.WithClock(clock.Now))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() }) // a test may have closed it already
	return db
}

// MustCreateUser creates a user without a password (a learner of the CLI or a classroom).
func MustCreateUser(tb testing.TB, db *store.DB, username string, role domain.Role) *domain.User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), username, username, role)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustCreateAccount creates an account that signs in with passwordHash (auth.HashPassword).
func MustCreateAccount(tb testing.TB, db *store.DB, username, displayName string, role domain.Role, passwordHash string) *domain.User {
	tb.Helper()
	u, err := db.CreateAccount(context.Background(), username, displayName, role, passwordHash)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustLocalUser returns the single-learner profile, creating it.
func MustLocalUser(tb testing.TB, db *store.DB) *domain.User {
	tb.Helper()
	u, err := db.EnsureLocalUser(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

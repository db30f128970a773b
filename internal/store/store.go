// Package store is the only package that speaks SQL. It keeps learner state in one SQLite
// file (modernc.org/sqlite, no cgo), applies the embedded migrations with goose at open, and
// scans rows with sqlx.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/migrations"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the database. Writes go through a single connection: SQLite has one writer at a time,
// and queueing writers in Go is cheaper and fairer than letting them collide on the file lock.
// Reads use a pool of their own, which WAL lets run alongside the writer.
type DB struct {
	write *sqlx.DB
	read  *sqlx.DB
	Path  string
	now   func() time.Time
	stmts sync.Map  // query -> *sqlx.Stmt on the read pool ("write\x00"+query: on the writer)
	lock  *fileLock // shared while open: "server restore" refuses while anyone holds it
	// ckpt copies the WAL into the database file in the background (see checkpointer).
	ckpt     *sqlx.DB
	stopCkpt context.CancelFunc
	ckptDone chan struct{}

	mustExist bool

	// sessionsWritten remembers each session this process last wrote, so that a request that
	// only slides the idle expiry forward does not write (see SessionStore.CommitCtx).
	sessionsWritten sessionMemo
}

// Option configures Open.
type Option func(*DB)

// WithClock sets the clock used for timestamps (tests).
func WithClock(now func() time.Time) Option { return func(db *DB) { db.now = now } }

// MustExist makes Open refuse a database file that does not exist yet, instead of creating an
// empty one: for commands that only read or change existing state, where a mistyped data
// directory should be an error, not a fresh empty database.
func MustExist() Option { return func(db *DB) { db.mustExist = true } }

// Open opens (creating if needed) the database file at path and applies pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	db := &DB{Path: path, now: time.Now}
	for _, o := range opts {
		o(db)
	}
	if db.mustExist {
		if err := checkExists(path); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	var err error
	if db.lock, err = lockFile(path+".lock", false); err != nil {
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("open %s: a restore is replacing the database; try again when \"server restore\" has finished", path)
		}
		return nil, err
	}
	// _txlock=immediate: a write transaction takes the write lock at BEGIN, so two writers
	// never deadlock upgrading read locks. busy_timeout: wait rather than fail under load.
	// journal_mode=WAL: readers do not block the writer. synchronous=NORMAL: in WAL mode a
	// committed transaction survives a crash of the process (kill -9); only a power loss can
	// lose the last commits. foreign_keys: SQLite leaves them off unless asked.
	// wal_autocheckpoint(0) on the writer: SQLite would otherwise copy the WAL into the file
	// inside whichever commit crosses 1,000 pages, and that learner's save waits for it; the
	// checkpointer does it on a connection of its own instead.
	if db.write, err = openPool(ctx, path, "_txlock=immediate&_pragma=wal_autocheckpoint(0)", 1); err != nil {
		db.lock.unlock()
		return nil, err
	}
	if db.read, err = openPool(ctx, path, "_pragma=query_only(1)", max(4, runtime.NumCPU())); err != nil {
		db.write.Close()
		db.lock.unlock()
		return nil, err
	}
	if db.ckpt, err = openPool(ctx, path, "_pragma=wal_autocheckpoint(0)", 1); err != nil {
		db.read.Close()
		db.write.Close()
		db.lock.unlock()
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	cctx, cancel := context.WithCancel(context.Background())
	db.stopCkpt, db.ckptDone = cancel, make(chan struct{})
	go db.checkpointer(cctx, time.Second)
	return db, nil
}

// checkpointer copies committed WAL frames into the database file every interval (PASSIVE:
// it never blocks a writer or a reader, it copies what no reader still needs), so the WAL
// stays small and no learner's save pays for a checkpoint. SQLite restarts the WAL from its
// start once a checkpoint has caught up.
func (db *DB) checkpointer(ctx context.Context, interval time.Duration) {
	defer close(db.ckptDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := db.ckpt.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil && ctx.Err() == nil {
				slog.Warn("wal checkpoint", "database", db.Path, "error", err)
			}
		}
	}
}

// ErrNoDatabase is MustExist's answer for a missing database or data directory.
var ErrNoDatabase = errors.New("no database")

func checkExists(path string) error {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: the data directory %s does not exist (check --data-dir or KCNAPREP_DATA_DIR; \"server serve\" or \"server migrate\" creates it)", ErrNoDatabase, dir)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: the data directory %s has no %s (check --data-dir or KCNAPREP_DATA_DIR; \"server serve\" or \"server migrate\" creates it)", ErrNoDatabase, dir, filepath.Base(path))
	}
	return nil
}

func openPool(ctx context.Context, path, extra string, conns int) (*sqlx.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	dsn := "file:" + path + "?" + q.Encode() + "&" + extra
	db, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies pending migrations from the embedded migrations folder.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write.DB, migrations.FS)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// MigrationVersion returns the version of the last applied migration.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write.DB, migrations.FS)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// Close closes both pools. The WAL is checkpointed by SQLite when the last connection closes.
func (db *DB) Close() error {
	var errs []error
	if db.stopCkpt != nil {
		db.stopCkpt()
		<-db.ckptDone
	}
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.Close())
	}
	db.stmts.Range(func(_, st any) bool { errs = append(errs, st.(*sqlx.Stmt).Close()); return true })
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	errs = append(errs, db.lock.unlock())
	return errors.Join(errs...)
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.GetContext(ctx, &one, "SELECT 1"); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// tx runs fn in a write transaction, committing if it returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.write.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// millis is the storage form of a time.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis turns a stored time back into a time.Time in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// readStmt returns a prepared statement on the read pool for query, preparing it once.
// Parsing SQL is a measurable share of a page's cost in pure-Go SQLite; a *sqlx.Stmt is safe
// for concurrent use and database/sql prepares it once per connection.
func (db *DB) readStmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	return db.prepared(ctx, db.read, query, query)
}

// writeExec runs one write statement, prepared once on the writer's connection: the hot
// single-statement writes (answer saves, session commits) skip parsing their SQL each time,
// and a single statement needs no BEGIN and COMMIT around it to be atomic. Never call it inside
// a db.tx callback: the transaction holds the writer's only connection, and this would wait for
// it forever.
func (db *DB) writeExec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := db.prepared(ctx, db.write, "write\x00"+query, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// prepared returns the statement cached under key, preparing query on pool the first time;
// of two goroutines preparing it at once, one keeps its statement and the other closes its own.
func (db *DB) prepared(ctx context.Context, pool *sqlx.DB, key, query string) (*sqlx.Stmt, error) {
	if st, ok := db.stmts.Load(key); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := pool.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// get runs a single-row read query through the statement cache.
func (db *DB) get(ctx context.Context, dest any, query string, args ...any) error {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}

// sel runs a multi-row read query through the statement cache.
func (db *DB) sel(ctx context.Context, dest any, query string, args ...any) error {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

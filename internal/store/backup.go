package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/kcnaprep/kcnaprep/migrations"
	"github.com/pressly/goose/v3"
)

// ErrBackupExists is Backup's answer when the target file exists and force is off.
var ErrBackupExists = errors.New("the backup file exists")

// ErrInUse is Restore's answer while a server or another command has the database open.
var ErrInUse = errors.New("the database is in use")

// ErrNotKcnaprep is Inspect's answer for a file that is not a sound kcnaprep database.
var ErrNotKcnaprep = errors.New("not a kcnaprep database")

// FileInfo describes a database file: its schema version and the number of accounts.
type FileInfo struct {
	Version  int64 // the last applied migration
	Latest   int64 // the newest migration this build knows
	Accounts int
	Bytes    int64
}

// Backup writes a consistent copy of the database at src to dst with VACUUM INTO. It reads
// inside one read transaction, so it can run beside a live server in WAL mode: the copy holds
// every transaction committed before it started and none after, and writers are not blocked.
// The copy goes to a temporary file beside dst, is checked (integrity_check, schema version)
// and synced, and only then takes dst's name, so dst is either absent or a whole backup.
// Without force an existing dst is an error (ErrBackupExists), also if it appears meanwhile.
func Backup(ctx context.Context, src, dst string, force bool) (FileInfo, error) {
	if err := checkExists(src); err != nil {
		return FileInfo{}, err
	}
	if !force {
		if _, err := os.Lstat(dst); err == nil {
			return FileInfo{}, fmt.Errorf("%w: %s (pass --force to replace it)", ErrBackupExists, dst)
		}
	}
	lock, err := lockFile(src+".lock", false)
	if err != nil {
		if errors.Is(err, errLocked) {
			return FileInfo{}, fmt.Errorf("back up %s: a restore is replacing the database; try again later", src)
		}
		return FileInfo{}, err
	}
	defer lock.unlock()

	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return FileInfo{}, fmt.Errorf("back up: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close() // VACUUM INTO accepts an empty file
	done := false
	defer func() {
		if !done {
			removeDB(tmpName)
		}
	}()
	conn, err := sql.Open("sqlite", "file:"+src+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return FileInfo{}, fmt.Errorf("open %s: %w", src, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return FileInfo{}, fmt.Errorf("back up %s: %w", src, err)
	}
	conn.Close()
	info, err := Inspect(ctx, tmpName)
	if err != nil {
		return FileInfo{}, fmt.Errorf("back up %s: the copy does not check out: %w", src, err)
	}
	if err := syncFile(tmpName); err != nil {
		return FileInfo{}, err
	}
	if force {
		err = os.Rename(tmpName, dst)
	} else if err = os.Link(tmpName, dst); err == nil {
		// A hard link fails if dst exists, unlike rename: no check-then-act race.
		err = os.Remove(tmpName)
	} else if errors.Is(err, fs.ErrExist) {
		return FileInfo{}, fmt.Errorf("%w: %s (pass --force to replace it)", ErrBackupExists, dst)
	}
	if err != nil {
		return FileInfo{}, fmt.Errorf("back up to %s: %w", dst, err)
	}
	done = true
	return info, syncDir(filepath.Dir(dst))
}

// Inspect checks that path is a sound kcnaprep database: SQLite's integrity_check passes and
// goose's version table names a migration this build knows. It does not change the file.
func Inspect(ctx context.Context, path string) (FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return FileInfo{}, fmt.Errorf("inspect: %w", err)
	}
	info := FileInfo{Bytes: st.Size()}
	conn, err := sql.Open("sqlite", "file:"+path+"?"+url.Values{"_pragma": {"query_only(1)", "busy_timeout(10000)"}}.Encode())
	if err != nil {
		return info, fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	rows, err := conn.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return info, fmt.Errorf("%w: %s: %v", ErrNotKcnaprep, path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return info, fmt.Errorf("%w: %s: %v", ErrNotKcnaprep, path, err)
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		return info, fmt.Errorf("%w: %s: %v", ErrNotKcnaprep, path, err)
	}
	rows.Close()
	if len(problems) != 1 || problems[0] != "ok" {
		if len(problems) > 5 {
			problems = append(problems[:5], "...")
		}
		return info, fmt.Errorf("%w: %s fails SQLite's integrity check: %v", ErrNotKcnaprep, path, problems)
	}
	var v sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil || !v.Valid || v.Int64 < 1 {
		return info, fmt.Errorf("%w: %s has no kcnaprep schema version (goose_db_version)", ErrNotKcnaprep, path)
	}
	info.Version = v.Int64
	if info.Latest, err = latestMigration(); err != nil {
		return info, err
	}
	if info.Version > info.Latest {
		return info, fmt.Errorf("%w: %s is at migration %d, newer than this kcnaprep knows (%d): use a newer kcnaprep", ErrNotKcnaprep, path, info.Version, info.Latest)
	}
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&info.Accounts); err != nil {
		return info, fmt.Errorf("%w: %s has no users table: %v", ErrNotKcnaprep, path, err)
	}
	return info, nil
}

// latestMigration is the newest migration embedded in this build.
func latestMigration() (int64, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var latest int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return 0, fmt.Errorf("migrations: %s: %w", n, err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// Restore replaces the database at dbPath with the backup src. It refuses while anyone has
// the database open (ErrInUse: a server, a "server user" command; the flock on dbPath+".lock"
// tells), and refuses a src that is not a sound kcnaprep database (ErrNotKcnaprep). The backup
// is copied beside the database and checked there; the old database, its WAL checkpointed
// into it first, is kept as dbPath.<UTC time>.bak, whose name Restore returns (empty if there
// was no database). A backup from an older kcnaprep is migrated when the server next opens it.
func Restore(ctx context.Context, src, dbPath string, now time.Time) (info FileInfo, bak string, err error) {
	if _, err := os.Stat(src); err != nil {
		return info, "", fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return info, "", fmt.Errorf("create data dir: %w", err)
	}
	lock, err := lockFile(dbPath+".lock", true)
	if errors.Is(err, errLocked) {
		return info, "", fmt.Errorf("%w: a server or another command has %s open; stop it first", ErrInUse, dbPath)
	}
	if err != nil {
		return info, "", err
	}
	defer lock.unlock()

	tmp, err := os.CreateTemp(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".restore-*")
	if err != nil {
		return info, "", fmt.Errorf("restore: %w", err)
	}
	tmpName := tmp.Name()
	done := false
	defer func() {
		if !done {
			removeDB(tmpName)
		}
	}()
	if err := copyInto(tmp, src); err != nil {
		return info, "", err
	}
	if info, err = Inspect(ctx, tmpName); err != nil {
		return info, "", err
	}
	if _, err := os.Stat(dbPath); err == nil {
		// Fold the WAL (a SIGKILLed server leaves one) into the file, so the .bak is whole and
		// no stale -wal is left beside the restored database.
		if err := checkpoint(ctx, dbPath); err != nil {
			return info, "", err
		}
		bak = dbPath + "." + now.UTC().Format("20060102T150405Z") + ".bak"
		if err := os.Rename(dbPath, bak); err != nil {
			return info, "", fmt.Errorf("keep the old database: %w", err)
		}
	}
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + side); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return info, bak, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmpName, dbPath); err != nil {
		return info, bak, fmt.Errorf("restore: %w", err)
	}
	done = true
	return info, bak, syncDir(filepath.Dir(dbPath))
}

// checkpoint copies the WAL of the database at path into the file and empties it.
func checkpoint(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	var busy, logFrames, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if busy != 0 {
		return fmt.Errorf("%w: checkpoint of %s was blocked", ErrInUse, path)
	}
	return conn.Close()
}

func copyInto(dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		dst.Close()
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return dst.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// removeDB removes a database file and any -wal or -shm beside it.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
}

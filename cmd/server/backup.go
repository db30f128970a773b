package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

const backupUsage = `usage: server backup FILE [--force] [--data-dir DIR]
       server restore FILE [--data-dir DIR]

backup writes a consistent copy of the database to FILE while the server runs (SQLite's
VACUUM INTO: one read transaction, writers carry on). It refuses to replace an existing FILE
unless --force; FILE appears only once the copy is whole and checked.

restore replaces the database with FILE after checking it (SQLite integrity_check, a kcnaprep
schema this build knows). Stop the server first: restore refuses while any process has the
database open. The old database is kept beside it as kcnaprep.db.<UTC time>.bak.
`

// runBackup is "server backup" and "server restore".
func runBackup(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, backupUsage) }
	dataDir := fs.String("data-dir", getenv("KCNAPREP_DATA_DIR"), "data directory (env KCNAPREP_DATA_DIR)")
	force := false
	if cmd == "backup" {
		fs.BoolVar(&force, "force", false, "replace an existing FILE")
	}
	// Flags may come before or after FILE.
	var files []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitError{"help"}
			}
			return exitError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 || strings.TrimSpace(files[0]) == "" {
		fmt.Fprint(stderr, backupUsage)
		return exitError{"wrong number of arguments"}
	}
	if *dataDir == "" {
		*dataDir = defaultDataDir(getenv)
	}
	dbPath := app.Config{DataDir: *dataDir}.DatabasePath()
	if cmd == "backup" {
		t0 := time.Now()
		// A first scheduled backup (the chart's CronJob into /data/backups) finds no directory.
		if err := os.MkdirAll(filepath.Dir(files[0]), 0o750); err != nil {
			return fmt.Errorf("backup directory: %w", err)
		}
		info, err := store.Backup(ctx, dbPath, files[0], force)
		if errors.Is(err, store.ErrBackupExists) || errors.Is(err, store.ErrNoDatabase) {
			fmt.Fprintln(stderr, err)
			return exitError{"backup refused"}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backed up %s to %s: %d accounts, migration %d, %.1f MiB in %v\n",
			dbPath, files[0], info.Accounts, info.Version, float64(info.Bytes)/(1<<20), time.Since(t0).Round(time.Millisecond))
		return nil
	}
	info, bak, err := store.Restore(ctx, files[0], dbPath, time.Now())
	if errors.Is(err, store.ErrInUse) || errors.Is(err, store.ErrNotKcnaprep) {
		fmt.Fprintln(stderr, err)
		return exitError{"restore refused"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s: %d accounts, migration %d", dbPath, files[0], info.Accounts, info.Version)
	if info.Version < info.Latest {
		fmt.Fprintf(stdout, " (the server migrates it to %d when it starts)", info.Latest)
	}
	fmt.Fprintln(stdout)
	if bak != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", bak)
	}
	return nil
}

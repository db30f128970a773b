package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"golang.org/x/term"
)

const userUsage = `usage: server user COMMAND [flags]

  add NAME [--role learner|instructor|admin] [--name "Full Name"]   create an account (password on stdin)
  passwd NAME           change the password (on stdin); ends all the user's sessions
  list                  list users
  disable NAME          the user cannot sign in; ends all their sessions
  enable NAME           let a disabled user sign in again
  delete NAME           remove the user and all their progress, exams and labs
  role NAME ROLE        change the role (learner, instructor or admin)

A username is 1 to 63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or
digit. Every command but add needs an existing database (--data-dir, env KCNAPREP_DATA_DIR).
`

// runUser manages accounts. Once one account exists the server runs with sign-in (restart it).
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, userUsage)
		return exitError{"missing subcommand"}
	}
	sub, rest := args[0], args[1:]
	wantArgs := map[string]int{"list": 0, "add": 1, "passwd": 1, "disable": 1, "enable": 1, "delete": 1, "role": 2}
	n, known := wantArgs[sub]
	if !known {
		fmt.Fprintf(stderr, "unknown user command %q\n\n%s", sub, userUsage)
		return exitError{"unknown subcommand"}
	}
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", getenv("KCNAPREP_DATA_DIR"), "data directory (env KCNAPREP_DATA_DIR)")
	role := fs.String("role", "learner", "learner, instructor or admin")
	name := fs.String("name", "", "display name (default: the username)")
	if err := fs.Parse(reorder(rest)); err != nil {
		return exitError{err.Error()}
	}
	if fs.NArg() != n {
		fmt.Fprint(stderr, userUsage)
		return exitError{"wrong number of arguments"}
	}
	if *dataDir == "" {
		*dataDir = defaultDataDir(getenv)
	}
	// fail prints a user's mistake (bad name, unknown user, ...) without the "error:" prefix.
	fail := func(err error) error {
		if code := domain.ErrorCode(err); code != domain.EINTERNAL && code != "" {
			fmt.Fprintln(stderr, domain.ErrorMessage(err))
			return exitError{code}
		}
		return err
	}
	username := fs.Arg(0)
	if sub == "add" {
		if err := domain.ValidateUsername(username); err != nil {
			return fail(err)
		}
	}
	r := domain.Role(*role)
	if sub == "role" {
		r = domain.Role(fs.Arg(1))
	}
	if r != domain.RoleLearner && r != domain.RoleInstructor && r != domain.RoleAdmin {
		fmt.Fprintf(stderr, "role %q: use learner, instructor or admin\n", r)
		return exitError{"bad role"}
	}
	var opts []store.Option
	if sub != "add" { // only add may start a new database; a mistyped --data-dir must not
		opts = append(opts, store.MustExist())
	}
	db, err := store.Open(ctx, app.Config{DataDir: *dataDir}.DatabasePath(), opts...)
	if errors.Is(err, store.ErrNoDatabase) {
		fmt.Fprintln(stderr, err)
		return exitError{"no database"}
	}
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "list":
		users, err := db.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			state := ""
			if u.Disabled {
				state = " (disabled)"
			}
			fmt.Fprintf(stdout, "%-20s %-10s %s%s\n", u.Username, u.Role, u.DisplayName, state)
		}
		return nil
	case "disable", "enable":
		if err := db.SetDisabled(ctx, username, sub == "disable"); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s %sd\n", username, sub)
		return nil
	case "delete":
		if err := db.DeleteUser(ctx, username); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s deleted, with all their progress\n", username)
		return nil
	case "role":
		if err := db.SetRole(ctx, username, r); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s is now %s\n", username, r)
		return nil
	}
	// add, passwd
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, domain.ErrorMessage(err))
		return exitError{"bad password"}
	}
	if sub == "passwd" {
		if err := db.SetPassword(ctx, username, hash); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions have ended\n", username)
		return nil
	}
	display := *name
	if display == "" {
		display = username
	}
	if _, err := db.CreateAccount(ctx, username, display, r, hash); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "account %s (%s) created; restart the server to require sign-in if this is the first account\n", username, r)
	return nil
}

// readPassword reads a password: without echo from a terminal, else the first line of stdin.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

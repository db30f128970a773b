package main

import (
	"bufio"
	"context"
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

// runUser manages accounts. Once one account exists the server runs with sign-in (restart it).
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: server user add NAME [--role learner|instructor|admin] [--name \"Full Name\"] | passwd NAME | list\n")
		return exitError{"missing subcommand"}
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", getenv("KCNAPREP_DATA_DIR"), "data directory (env KCNAPREP_DATA_DIR)")
	role := fs.String("role", "learner", "learner, instructor or admin")
	name := fs.String("name", "", "display name (default: the username)")
	if err := fs.Parse(reorder(rest)); err != nil {
		return exitError{err.Error()}
	}
	if *dataDir == "" {
		*dataDir = defaultDataDir(getenv)
	}
	db, err := store.Open(ctx, app.Config{DataDir: *dataDir}.DatabasePath())
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
			fmt.Fprintf(stdout, "%-20s %-10s %s\n", u.Username, u.Role, u.DisplayName)
		}
		return nil
	case "add", "passwd":
		if fs.NArg() != 1 {
			fmt.Fprintf(stderr, "usage: server user %s NAME\n", sub)
			return exitError{"missing NAME"}
		}
		username := fs.Arg(0)
		r := domain.Role(*role)
		if r != domain.RoleLearner && r != domain.RoleInstructor && r != domain.RoleAdmin {
			fmt.Fprintf(stderr, "role %q: use learner, instructor or admin\n", *role)
			return exitError{"bad role"}
		}
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
				return err
			}
			fmt.Fprintf(stdout, "password of %s changed\n", username)
			return nil
		}
		display := *name
		if display == "" {
			display = username
		}
		if _, err := db.CreateAccount(ctx, username, display, r, hash); err != nil {
			if domain.ErrorCode(err) == domain.ECONFLICT {
				fmt.Fprintln(stderr, domain.ErrorMessage(err))
				return exitError{"taken"}
			}
			return err
		}
		fmt.Fprintf(stdout, "account %s (%s) created; restart the server to require sign-in if this is the first account\n", username, r)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown user command %q\n", sub)
		return exitError{"unknown subcommand"}
	}
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

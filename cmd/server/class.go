package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// classCommand is one "server class" subcommand. Each part of the classroom adds its commands
// to classCommands, one line each, beside its own code.
type classCommand struct {
	usage string // one line: "create ID --title T ..."
	run   func(ctx context.Context, env classEnv, args []string) error
}

var classCommands = map[string]classCommand{
	"create": {"create ID --title T --instructor USERNAME [--section S]...   create a class", runClassCreate},
	"import": {"import ID ROSTER.csv [--format text|csv] [--base-url URL]     add a roster; prints a set-password link per new account", runClassImport},
}

// classEnv is what a class command runs with.
type classEnv struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

func classUsage() string {
	var b strings.Builder
	b.WriteString("usage: server class COMMAND [flags]\n\n")
	names := make([]string, 0, len(classCommands))
	for n := range classCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("  " + classCommands[n].usage + "\n")
	}
	b.WriteString("\nThe commands share the server's database (--data-dir, env KCNAPREP_DATA_DIR), which must exist.\n")
	return b.String()
}

// runClass is "server class ...": the classroom from the command line, acting as an admin.
func runClass(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, classUsage())
		return exitError{"missing class command"}
	}
	cmd, ok := classCommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "unknown class command %q\n\n%s", args[0], classUsage())
		return exitError{"unknown class command"}
	}
	return cmd.run(ctx, classEnv{getenv: getenv, stdout: stdout, stderr: stderr}, args[1:])
}

// cliAdmin is who the class commands act as: whoever runs them holds the database.
var cliAdmin = &domain.User{Username: "(command line)", DisplayName: "command line", Role: domain.RoleAdmin}

// openClassApp parses the server's flags in args (after the command's own were cut out) and
// opens the services on the existing database. It returns the positional arguments.
func openClassApp(ctx context.Context, name string, env classEnv, args []string, npos int, usage string) (*app.App, []string, error) {
	f, fs, err := parseFlags("class "+name, reorder(args), env.getenv, env.stderr)
	if err != nil {
		return nil, nil, exitError{err.Error()}
	}
	if fs.NArg() != npos {
		fmt.Fprintf(env.stderr, "usage: server class %s\n", usage)
		return nil, nil, exitError{"wrong number of arguments"}
	}
	f.cfg.ExistingData = true
	f.cfg.LabBackend = "none"
	a, err := app.OpenServices(ctx, f.cfg, slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if _, ok := printProblems(env.stderr, err, ""); ok {
		return nil, nil, exitError{"invalid content"}
	}
	if err != nil {
		return nil, nil, err
	}
	return a, fs.Args(), nil
}

// failUser prints a user's mistake (bad id, unknown user, ...) without the "error:" prefix.
func failUser(stderr io.Writer, err error) error {
	if code := domain.ErrorCode(err); code != domain.EINTERNAL && code != "" {
		fmt.Fprintln(stderr, domain.ErrorMessage(err))
		return exitError{code}
	}
	return err
}

// cutFlags is cutFlag for a flag that may be given several times: every value, in order.
func cutFlags(args []string, name string) ([]string, []string) {
	var vals, rest []string
	for i := 0; i < len(args); i++ {
		a := strings.TrimPrefix(strings.TrimPrefix(args[i], "-"), "-")
		switch {
		case a == name && i+1 < len(args) && args[i] != a:
			vals = append(vals, args[i+1])
			i++
		case strings.HasPrefix(a, name+"=") && args[i] != a:
			vals = append(vals, strings.TrimPrefix(a, name+"="))
		default:
			rest = append(rest, args[i])
		}
	}
	return vals, rest
}

func runClassCreate(ctx context.Context, env classEnv, args []string) error {
	const usage = "create ID --title T --instructor USERNAME [--section S]..."
	title, args := cutFlag(args, "title", "")
	instructor, args := cutFlag(args, "instructor", "")
	sections, args := cutFlags(args, "section")
	a, pos, err := openClassApp(ctx, "create", env, args, 1, usage)
	if err != nil {
		return err
	}
	defer a.Close()
	if instructor == "" || strings.TrimSpace(title) == "" {
		fmt.Fprintf(env.stderr, "usage: server class %s\n", usage)
		return exitError{"missing --title or --instructor"}
	}
	u, err := a.DB.UserByUsername(ctx, instructor)
	if err != nil {
		return failUser(env.stderr, err)
	}
	if u.Role != domain.RoleInstructor && u.Role != domain.RoleAdmin {
		fmt.Fprintf(env.stderr, "%s is a %s: make them an instructor first (server user role %s instructor)\n", u.Username, u.Role, u.Username)
		return exitError{"not an instructor"}
	}
	c, err := a.Class.CreateClass(ctx, u, pos[0], title, sections)
	if err != nil {
		return failUser(env.stderr, err)
	}
	if _, err := a.Class.RotateInvite(ctx, u, c.ID); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "class %s (%s) created, taught by %s", c.ID, c.Title, u.Username)
	if len(c.Sections) > 0 {
		fmt.Fprintf(env.stdout, "; sections %s", strings.Join(c.Sections, ", "))
	}
	fmt.Fprintln(env.stdout)
	return nil
}

func runClassImport(ctx context.Context, env classEnv, args []string) error {
	const usage = "import ID ROSTER.csv [--format text|csv] [--base-url URL]"
	format, args := cutFlag(args, "format", "text")
	if format != "text" && format != "csv" {
		fmt.Fprintf(env.stderr, "--format %q: use text or csv\n", format)
		return exitError{"bad format"}
	}
	a, pos, err := openClassApp(ctx, "import", env, args, 2, usage)
	if err != nil {
		return err
	}
	defer a.Close()
	f, err := os.Open(pos[1])
	if err != nil {
		fmt.Fprintln(env.stderr, err)
		return exitError{"cannot open roster"}
	}
	defer f.Close()
	base := a.Config.BaseURL
	res, err := a.Class.ImportRoster(ctx, cliAdmin, pos[0], pos[1], f, base)
	var rerr *domain.RosterError
	if errors.As(err, &rerr) {
		fmt.Fprintln(env.stderr, rerr.Error())
		return exitError{"bad roster"}
	}
	if err != nil {
		return failUser(env.stderr, err)
	}
	fmt.Fprintf(env.stderr, "%s: %d people: %d new accounts, %d existing added\n", pos[1], res.Rows, len(res.Created), len(res.Added))
	if base == "" && len(res.Created) > 0 {
		fmt.Fprintln(env.stderr, "note: no --base-url (env KCNAPREP_BASE_URL): the links are paths; put your server's address before them")
	}
	if format == "csv" {
		_, err := env.stdout.Write(classroom.LinksCSV(res.Created))
		return err
	}
	for _, l := range res.Created {
		fmt.Fprintf(env.stdout, "%s\t%s\n", l.Username, l.URL)
	}
	return nil
}

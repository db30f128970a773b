package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

const classItemsUsage = `  server class stats ID|ALL [--all] --format csv|json [--out FILE]
                                   item analysis of the class's exam attempts (ALL or --all: every
                                   attempt on the server): question_id, attempts, facility, sd,
                                   discrimination, discriminative_efficiency, flagged, reports
  server class questions import ID FILE.gift   add or update the class's own questions
  server class questions export ID [--out FILE] write the class's own questions as GIFT
`

// operator is who the class commands act as: whoever runs the server's command line holds its
// database, so they act as its administrator.
var operator = cliAdmin

// openClassroom opens the content and database of the data dir for a class command.
func openClassroom(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer,
	extra func(fs *flag.FlagSet)) (*app.App, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", getenv("KCNAPREP_DATA_DIR"), "data directory (env KCNAPREP_DATA_DIR)")
	contentDir := fs.String("content-dir", getenv("KCNAPREP_CONTENT_DIR"), "content directory (default: embedded)")
	extra(fs)
	if err := fs.Parse(reorder(args)); err != nil {
		return nil, nil, exitError{err.Error()}
	}
	if *dataDir == "" {
		*dataDir = defaultDataDir(getenv)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.OpenServices(ctx, app.Config{DataDir: *dataDir, ContentDir: *contentDir, ExistingData: true, LabBackend: "none"}, logger)
	if _, ok := printProblems(stderr, err, ""); ok {
		return nil, nil, exitError{"invalid content"}
	}
	if err != nil {
		return nil, nil, err
	}
	return a, fs, nil
}

// classFail prints a user's mistake (no such class, bad file) without the "error:" prefix.
func classFail(stderr io.Writer, err error) error {
	if code := domain.ErrorCode(err); code != domain.EINTERNAL && code != "" {
		fmt.Fprintln(stderr, domain.ErrorMessage(err))
		return exitError{code}
	}
	return err
}

// outFile returns stdout, or the file named by out.
func outFile(out string, stdout io.Writer) (io.Writer, func() error, error) {
	if out == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(out)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", out, err)
	}
	return f, f.Close, nil
}

// runClassStats is `server class stats`.
func runClassStats(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var format, out *string
	var all *bool
	a, fs, err := openClassroom(ctx, "class stats", args, getenv, stderr, func(fs *flag.FlagSet) {
		format = fs.String("format", "csv", "csv or json")
		out = fs.String("out", "", "write to FILE instead of standard output")
		all = fs.Bool("all", false, "every exam attempt on the server, not one class's")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	id := classroom.AllClasses
	if !*all {
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, "usage:\n"+classItemsUsage)
			return exitError{"missing class ID"}
		}
		id = fs.Arg(0)
	}
	if *format != "csv" && *format != "json" {
		fmt.Fprintf(stderr, "unknown format %q: csv or json\n", *format)
		return exitError{"bad format"}
	}
	an, err := a.Class.ItemAnalysis(ctx, operator, id)
	if err != nil {
		return classFail(stderr, err)
	}
	w, closeOut, err := outFile(*out, stdout)
	if err != nil {
		return err
	}
	if *format == "json" {
		err = an.WriteJSON(w)
	} else {
		err = an.WriteCSV(w)
	}
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// runClassQuestions is `server class questions import|export`.
func runClassQuestions(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, "usage:\n"+classItemsUsage)
		return exitError{"missing subcommand"}
	}
	sub := args[0]
	var out *string
	a, fs, err := openClassroom(ctx, "class questions "+sub, args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		out = fs.String("out", "", "write to FILE instead of standard output (export)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	want := map[string]int{"import": 2, "export": 1}[sub]
	if fs.NArg() != want {
		fmt.Fprint(stderr, "usage:\n"+classItemsUsage)
		return exitError{"wrong number of arguments"}
	}
	classID := fs.Arg(0)
	if sub == "export" {
		w, closeOut, err := outFile(*out, stdout)
		if err != nil {
			return err
		}
		n, err := a.Class.ExportQuestions(ctx, operator, classID, w)
		if cerr := closeOut(); err == nil {
			err = cerr
		}
		if err != nil {
			return classFail(stderr, err)
		}
		fmt.Fprintf(stderr, "exported %d question(s) of class %s\n", n, classID)
		return nil
	}
	file := fs.Arg(1)
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "open %s: %v\n", file, err)
		return exitError{"cannot open file"}
	}
	defer f.Close()
	rep, err := a.Class.ImportQuestions(ctx, operator, classID, f)
	if err != nil {
		return classFail(stderr, err)
	}
	for _, n := range rep.Skipped {
		fmt.Fprintf(stderr, "%s:%d: skipped: %s\n", file, n.Line, noteText(n))
	}
	for _, n := range rep.Warnings {
		fmt.Fprintf(stderr, "%s:%d: warning: %s\n", file, n.Line, noteText(n))
	}
	fmt.Fprintf(stdout, "class %s: %d added, %d updated, %d skipped, %d warning(s)\n", classID, rep.Created, rep.Updated, len(rep.Skipped), len(rep.Warnings))
	if rep.Created+rep.Updated == 0 {
		return exitError{"nothing imported"}
	}
	return nil
}

func noteText(n classroom.ImportNote) string {
	if n.Question != "" {
		return fmt.Sprintf("%q: %s", n.Question, n.Msg)
	}
	return n.Msg
}

// classItemsCmd adapts the item analysis's and own questions' commands to classCommands.
func classItemsCmd(run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error) func(context.Context, classEnv, []string) error {
	return func(ctx context.Context, env classEnv, args []string) error {
		return run(ctx, args, env.getenv, env.stdout, env.stderr)
	}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

func init() {
	classCommands["assign"] = classCommand{"assign ID --kind exam|practice|lessons|lab [--ref REF] [--title T] [--section S] [--opens TIME] --due TIME [--tz ZONE] [--count N] [--minutes M] [--attempts N] [--grading highest|last|first] [--review immediately|after_due|never]   assign work; TIME is 2026-03-02T14:00 in --tz (default UTC), RFC 3339 or a date (its end)",
		func(ctx context.Context, env classEnv, args []string) error {
			return runClassAssign(ctx, args, env.getenv, env.stdout, env.stderr)
		}}
	classCommands["grades"] = classCommand{"grades ID --format csv|json   the gradebook: username, name, section, then one column per assignment",
		func(ctx context.Context, env classEnv, args []string) error {
			return runClassGrades(ctx, args, env.getenv, env.stdout, env.stderr)
		}}
}

// openClassWork opens the database and the content a class command needs.
// Without needContent the service has no catalog (the gradebook reads only the database).
func openClassWork(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer, needContent bool) (*classroom.Service, func(), error) {
	dataDir := fs.String("data-dir", getenv("KCNAPREP_DATA_DIR"), "data directory (env KCNAPREP_DATA_DIR)")
	contentDir := fs.String("content-dir", getenv("KCNAPREP_CONTENT_DIR"), "content directory (default: embedded)")
	if err := fs.Parse(reorder(args)); err != nil {
		return nil, nil, exitError{err.Error()}
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, classUsage())
		return nil, nil, exitError{"wrong number of arguments"}
	}
	if *dataDir == "" {
		*dataDir = defaultDataDir(getenv)
	}
	var cat *catalog.Catalog
	if needContent {
		var err error
		if cat, err = app.LoadCatalog(*contentDir); err != nil {
			return nil, nil, fmt.Errorf("load content: %w", err)
		}
	}
	db, err := store.Open(ctx, app.Config{DataDir: *dataDir}.DatabasePath(), store.MustExist())
	if errors.Is(err, store.ErrNoDatabase) {
		fmt.Fprintln(stderr, err)
		return nil, nil, exitError{"no database"}
	}
	if err != nil {
		return nil, nil, err
	}
	return classroom.New(cat, db), func() { db.Close() }, nil
}

// parseCLITime reads TIME: RFC 3339, "2006-01-02T15:04" or "2006-01-02 15:04" in loc, or a
// date (the end of that day in loc).
func parseCLITime(v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t.Add(24*time.Hour - time.Minute), nil
	}
	return time.Time{}, domain.Errorf(domain.EINVALID, "%q is not a time: use 2026-03-02T14:00, an RFC 3339 time or a date.", v)
}

func runClassAssign(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("class assign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "exam, practice, lessons or lab")
	ref := fs.String("ref", "", "what: a lab id, lesson/domain/competency ids, question ids (the class's own: cq-N), own (draw practice from the class's own)")
	title := fs.String("title", "", "title (default: from the kind and REF)")
	section := fs.String("section", "", "one section only (default: the whole class)")
	opens := fs.String("opens", "", "when it opens (default: at once)")
	due := fs.String("due", "", "when it is due (required)")
	tz := fs.String("tz", "UTC", "time zone of --opens and --due, e.g. Europe/Berlin")
	count := fs.Int("count", 0, "questions (practice: to draw; exam: default the curriculum's)")
	minutes := fs.Int("minutes", 0, "exam time limit (default: the curriculum's)")
	attempts := fs.Int("attempts", 1, "exam attempts allowed (0: unlimited)")
	grading := fs.String("grading", "highest", "the exam attempt that counts: highest, last or first")
	review := fs.String("review", "after_due", "when answers and reasons are shown: immediately, after_due or never")
	from := fs.String("from", "bank", "where exam questions come from: bank, own (the class's own questions) or both")
	svc, done, err := openClassWork(ctx, fs, args, getenv, stderr, true)
	if err != nil {
		return err
	}
	defer done()
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "unknown time zone %q\n", *tz)
		return exitError{"bad time zone"}
	}
	na := classroom.NewAssignment{Kind: domain.AssignmentKind(*kind), Ref: *ref, Title: *title, Section: *section,
		Count: *count, Minutes: *minutes, Attempts: *attempts, Grading: domain.ExamGrading(*grading), Review: domain.ReviewPolicy(*review),
		Source: domain.QuestionSource(*from)}
	if na.OpensAt, err = parseCLITime(*opens, loc); err != nil {
		return classFail(stderr, err)
	}
	if na.DueAt, err = parseCLITime(*due, loc); err != nil {
		return classFail(stderr, err)
	}
	a, err := svc.Assign(ctx, operator, fs.Arg(0), na)
	if err != nil {
		return classFail(stderr, err)
	}
	fmt.Fprintf(stdout, "assignment %d: %s, due %s\n", a.ID, a.Title, a.DueAt.UTC().Format(time.RFC3339))
	return nil
}

func runClassGrades(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("class grades", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "csv", "csv or json")
	svc, done, err := openClassWork(ctx, fs, args, getenv, stderr, false)
	if err != nil {
		return err
	}
	defer done()
	g, err := svc.Gradebook(ctx, operator, fs.Arg(0))
	if err != nil {
		return classFail(stderr, err)
	}
	switch strings.ToLower(*format) {
	case "csv":
		return g.WriteCSV(stdout)
	case "json":
		return g.WriteJSON(stdout)
	default:
		fmt.Fprintf(stderr, "format %q: use csv or json\n", *format)
		return exitError{"bad format"}
	}
}

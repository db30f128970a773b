package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/gift"
)

const quizUsage = `usage:
  server quiz export --format gift [--out FILE] [--content-dir DIR]
  server quiz import FILE.gift [--into DIR] [--competency ID]
`

func runQuiz(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, quizUsage)
		return exitError{"missing subcommand"}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("quiz "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	contentDir := fs.String("content-dir", getenv("KCNAPREP_CONTENT_DIR"), "content to export (default: embedded)")
	switch sub {
	case "export":
		format := fs.String("format", "gift", "output format: gift")
		out := fs.String("out", "", "write to FILE instead of standard output")
		if err := fs.Parse(args); err != nil {
			return exitError{err.Error()}
		}
		if *format != "gift" {
			fmt.Fprintf(stderr, "unknown format %q: gift is supported\n", *format)
			return exitError{"bad format"}
		}
		c, err := loadForTool(*contentDir, stderr)
		if err != nil {
			return err
		}
		w := stdout
		if *out != "" {
			f, err := os.Create(*out)
			if err != nil {
				return fmt.Errorf("create %s: %w", *out, err)
			}
			defer f.Close()
			w = f
		}
		if err := gift.Write(w, gift.FromCatalog(c.Questions)); err != nil {
			return fmt.Errorf("write gift: %w", err)
		}
		if *out != "" {
			fmt.Fprintf(stderr, "exported %d questions to %s\n", len(c.Questions), *out)
		}
		return nil
	case "import":
		into := fs.String("into", "", "content dir to add the questions to (default: --content-dir, or the current directory)")
		comp := fs.String("competency", "", "competency for questions whose $CATEGORY names none")
		if err := fs.Parse(reorder(args)); err != nil {
			return exitError{err.Error()}
		}
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, quizUsage)
			return exitError{"missing FILE"}
		}
		dir := *into
		if dir == "" {
			dir = *contentDir
		}
		if dir == "" {
			dir = "."
		}
		return importGIFT(fs.Arg(0), dir, *comp, stdout, stderr)
	default:
		fmt.Fprint(stderr, quizUsage)
		return exitError{"unknown subcommand"}
	}
}

// reorder moves flags before positional arguments, so "import FILE --into DIR" works too.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		if len(args[i]) > 1 && args[i][0] == '-' {
			flags = append(flags, args[i])
			if i+1 < len(args) && len(args[i+1]) > 0 && args[i+1][0] != '-' && !containsEq(args[i]) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, args[i])
	}
	return append(flags, pos...)
}

func containsEq(s string) bool {
	for _, c := range s {
		if c == '=' {
			return true
		}
	}
	return false
}

// importGIFT converts FILE into question files under dir, then checks the content there and
// reports every problem. It exits 1 if anything was skipped or needs fixing.
func importGIFT(file, dir, competency string, stdout, stderr io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	qs, problems := gift.Parse(f)
	f.Close()
	c, err := app.LoadCatalog(dir)
	if _, ok := printProblems(stderr, err, fmt.Sprintf("the content in %s has problems already; fix them first:", dir)); ok {
		return exitError{"content has problems"}
	}
	if err != nil {
		return err
	}
	res := gift.ToBank(c, qs, competency)
	problems = append(problems, res.Problems...)
	written, err := gift.WriteBank(dir, res)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "%s:%d: %s\n", file, p.Line, p.Msg)
	}
	for _, w := range written {
		rel, _ := filepath.Rel(dir, w)
		fmt.Fprintf(stdout, "wrote %s\n", rel)
	}
	fmt.Fprintf(stdout, "imported %d question(s), skipped %d\n", res.Imported, len(problems))
	// The imported questions must meet the same rules as ours: report what to complete.
	if _, err := app.LoadCatalog(dir); err != nil {
		if _, ok := printProblems(stderr, err, "the imported questions need work before the server accepts them:"); ok {
			return exitError{"imported content has problems"}
		}
		return err
	}
	if len(problems) > 0 {
		return exitError{"some questions were not imported"}
	}
	return nil
}

package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

func runContent(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: server content check|stats|export|diagrams [DIR]\n")
		return exitError{"missing subcommand"}
	}
	sub, args := args[0], args[1:]
	fset := flag.NewFlagSet("content "+sub, flag.ContinueOnError)
	fset.SetOutput(stderr)
	if err := fset.Parse(args); err != nil {
		return exitError{err.Error()}
	}
	dir := fset.Arg(0)
	if dir == "" && sub != "export" {
		dir = getenv("KCNAPREP_CONTENT_DIR")
	}
	switch sub {
	case "check":
		c, err := loadForTool(dir, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "content ok: %d domains, %d lessons, %d questions, %d labs\n",
			len(c.Domains), len(c.Lessons), len(c.Questions), len(c.Labs))
		if st := c.DiagramStats(); st.Diagrams > 0 {
			fmt.Fprintf(stdout, "diagrams: %d, %d pre-rendered, %d rendered at load in %v\n", st.Diagrams, st.Cached, st.Rendered, st.RenderTime.Round(time.Millisecond))
			if st.Rendered > 0 {
				fmt.Fprintf(stdout, "  run `server content diagrams %s` to pre-render them (each load renders them again)\n", cmp.Or(dir, "DIR"))
			}
		}
		return nil
	case "stats":
		c, err := loadForTool(dir, stderr)
		if err != nil {
			return err
		}
		if err := c.Stats().Write(stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
		return c.OptionForm().Write(stdout)
	case "diagrams":
		if dir == "" {
			fmt.Fprint(stderr, "usage: server content diagrams DIR   (DIR laid out like the repository: DIR/content/diagrams is written)\n")
			return exitError{"missing DIR"}
		}
		c, err := loadForTool(dir, stderr)
		if err != nil {
			return err
		}
		return writeDiagrams(c, dir, stdout)
	case "export":
		if dir == "" {
			fmt.Fprint(stderr, "usage: server content export DIR\n")
			return exitError{"missing DIR"}
		}
		return exportContent(dir, stdout)
	default:
		fmt.Fprintf(stderr, "unknown content command %q: use check, stats, export or diagrams\n", sub)
		return exitError{"unknown subcommand"}
	}
}

// loadForTool loads content and prints every problem as file:line: message.
func loadForTool(dir string, stderr io.Writer) (*catalog.Catalog, error) {
	c, err := app.LoadCatalog(dir)
	if ps, ok := printProblems(stderr, err, ""); ok {
		fmt.Fprintf(stderr, "%d problem(s)\n", len(ps))
		return nil, exitError{"content has problems"}
	}
	return c, err
}

// exportContent copies the embedded content into dir/content, dir/quizzes and dir/labs,
// refusing to overwrite existing files.
func exportContent(dir string, stdout io.Writer) error {
	src := app.EmbeddedSources()
	n := 0
	for name, fsys := range map[string]fs.FS{"content": src.Content, "quizzes": src.Quizzes, "labs": src.Labs} {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(p) == ".go" {
				return err
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, name, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			if _, err := f.Write(data); err != nil {
				f.Close()
				return err
			}
			n++
			return f.Close()
		})
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
	}
	fmt.Fprintf(stdout, "exported %d files to %s; serve them with --content-dir %s\n", n, dir, dir)
	return nil
}

// printProblems prints the content problems err carries, one "file:line: message" per line
// after heading (when not empty), and reports whether it carried any.
func printProblems(w io.Writer, err error, heading string) (catalog.Problems, bool) {
	var ps catalog.Problems
	if !errors.As(err, &ps) {
		return nil, false
	}
	if heading != "" {
		fmt.Fprintln(w, heading)
	}
	for _, p := range ps {
		fmt.Fprintln(w, p)
	}
	return ps, true
}

// writeDiagrams brings DIR/content/diagrams up to date: every diagram of the content
// pre-rendered, no file that no diagram uses.
func writeDiagrams(c *catalog.Catalog, dir string, stdout io.Writer) error {
	out := filepath.Join(dir, "content", catalog.DiagramDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("diagrams: %w", err)
	}
	written := 0
	for name, svg := range c.DiagramSVGs() {
		p := filepath.Join(out, name)
		if old, err := os.ReadFile(p); err == nil && string(old) == svg {
			continue
		}
		if err := os.WriteFile(p, []byte(svg), 0o644); err != nil {
			return fmt.Errorf("diagrams: %w", err)
		}
		written++
	}
	stale := c.StaleDiagramFiles()
	for _, name := range stale {
		if err := os.Remove(filepath.Join(out, name)); err != nil {
			return fmt.Errorf("diagrams: %w", err)
		}
	}
	st := c.DiagramStats()
	fmt.Fprintf(stdout, "%d diagrams: %d written, %d stale removed; %d rendered now in %v\n",
		st.Diagrams, written, len(stale), st.Rendered, st.RenderTime.Round(time.Millisecond))
	return nil
}

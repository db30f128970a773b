package bundle_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/labs"
)

// FuzzLabBundle loads a lab bundle (lab.yaml with its CEL checks, and the set-up manifest):
// no panic; a bad bundle is reported as problems naming a file; a good one yields its set-up.
func FuzzLabBundle(f *testing.F) {
	n := 0
	_ = fs.WalkDir(labs.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "/lab.yaml") || n == 3 {
			return err
		}
		y, _ := fs.ReadFile(labs.FS, p)
		setup, _ := fs.ReadFile(labs.FS, strings.TrimSuffix(p, "lab.yaml")+"setup.yaml")
		// Real labs name real domains: point them at the test curriculum's.
		f.Add(strings.NewReplacer("domain: ", "domain: alpha # ", "competencies: ", "competencies: [one] # ").Replace(string(y)), string(setup))
		n++
		return nil
	})
	f.Add(testcontent.LabYAML("scale-web"), testcontent.LabSetup)
	f.Add(testcontent.LabYAML("scale-web"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n: [\n")
	f.Fuzz(func(t *testing.T, labYAML, setup string) {
		files := testcontent.Files(testcontent.LabFiles("scale-web"))
		files["labs/scale-web/lab.yaml"], files["labs/scale-web/setup.yaml"] = labYAML, setup
		src := catalog.Sources{Content: fstest.MapFS{}, Quizzes: fstest.MapFS{}, Labs: fstest.MapFS{}}
		for name, data := range files {
			dir, rest, _ := strings.Cut(name, "/")
			var fsys fstest.MapFS
			switch dir {
			case "content":
				fsys = src.Content.(fstest.MapFS)
			case "quizzes":
				fsys = src.Quizzes.(fstest.MapFS)
			case "labs":
				fsys = src.Labs.(fstest.MapFS)
			default:
				continue
			}
			fsys[rest] = &fstest.MapFile{Data: []byte(data)}
		}
		bundles := bundle.Bundles{}
		c, err := catalog.Load(src, catalog.WithLabLoader(bundle.Loader(bundles)))
		if err != nil {
			var ps catalog.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is not a list of problems: %v", err)
			}
			for _, p := range ps {
				if p.File == "" || p.Msg == "" {
					t.Fatalf("problem without file or message: %+v", p)
				}
			}
			return
		}
		for _, l := range c.Labs {
			if b := bundles.Lab(l.ID); b != nil {
				_, _ = b.Setup("lab-fuzz")
			}
		}
	})
}

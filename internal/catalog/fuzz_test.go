package catalog_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kcnaprep/kcnaprep/content"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/quizzes"
)

// memSources is the test content tree in memory, with overrides.
func memSources(overrides map[string]string) catalog.Sources {
	c, q := fstest.MapFS{}, fstest.MapFS{}
	for name, data := range testcontent.Files(overrides) {
		switch {
		case strings.HasPrefix(name, "content/"):
			c[strings.TrimPrefix(name, "content/")] = &fstest.MapFile{Data: []byte(data)}
		case strings.HasPrefix(name, "quizzes/"):
			q[strings.TrimPrefix(name, "quizzes/")] = &fstest.MapFile{Data: []byte(data)}
		}
	}
	return catalog.Sources{Content: c, Quizzes: q}
}

// checkLoad loads the tree: either it loads and every question renders, or it fails with
// problems that each name their file.
func checkLoad(t *testing.T, src catalog.Sources) {
	cat, err := catalog.Load(src)
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
	for _, q := range cat.Questions {
		_ = q.StemHTML()
		for i := range q.Choices {
			_, _ = q.ChoiceHTML(i), q.WhyHTML(i)
		}
	}
}

// seedFiles adds up to n files of fsys with the suffix as seeds.
func seedFiles(f *testing.F, fsys fs.FS, suffix string, n int) {
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, suffix) || n == 0 {
			return err
		}
		data, _ := fs.ReadFile(fsys, p)
		f.Add(string(data))
		n--
		return nil
	})
}

// FuzzQuestionFile loads a question bank file (contributors write them): no panic, and a bad
// file is reported as problems naming the file.
func FuzzQuestionFile(f *testing.F) {
	seedFiles(f, quizzes.FS, ".yaml", 3)
	f.Add(testcontent.Questions("alpha", "one", "al-one", 1, 2, ""))
	f.Add("- id: al-one-001\n  type: multiple\n  choices: [{text: a, correct: true}]\n")
	f.Fuzz(func(t *testing.T, data string) {
		checkLoad(t, memSources(map[string]string{"quizzes/alpha/one.yaml": data}))
	})
}

// FuzzLessonFile loads a lesson (front matter and Markdown body).
func FuzzLessonFile(f *testing.F) {
	seedFiles(f, content.FS, ".md", 3)
	f.Add(testcontent.Lesson("Second lesson", "one", "text"))
	f.Add("---\ntitle: x\n---\n")
	f.Add("---\n")
	f.Fuzz(func(t *testing.T, data string) {
		checkLoad(t, memSources(map[string]string{"content/alpha/02-second.md": data}))
	})
}

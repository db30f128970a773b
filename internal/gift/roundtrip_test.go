package gift_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/content"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/gift"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/quizzes"
)

// roundTrip exports every question of src to GIFT, imports the file into a copy of the content
// without its question banks, and checks that every question comes back unchanged.
func roundTrip(t *testing.T, src catalog.Sources) {
	t.Helper()
	orig, err := catalog.Load(src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var b strings.Builder
	if err := gift.Write(&b, gift.FromCatalog(orig.Questions)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyFS(t, src.Content, filepath.Join(dir, "content"))
	if err := os.MkdirAll(filepath.Join(dir, "quizzes"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The target has no questions yet; the catalog of lessons alone is enough to resolve ids.
	empty, err := catalog.Load(catalog.Sources{Content: src.Content, Quizzes: os.DirFS(filepath.Join(dir, "quizzes"))})
	if err != nil {
		t.Fatal(err)
	}
	qs, ps := gift.Parse(strings.NewReader(b.String()))
	if len(ps) > 0 {
		t.Fatalf("parse problems: %v", ps)
	}
	res := gift.ToBank(empty, qs, "")
	if len(res.Problems) > 0 || res.Imported != len(orig.Questions) {
		t.Fatalf("imported %d of %d: %v", res.Imported, len(orig.Questions), res.Problems)
	}
	if _, err := gift.WriteBank(dir, res); err != nil {
		t.Fatal(err)
	}
	back, err := catalog.Load(catalog.Sources{Content: src.Content, Quizzes: os.DirFS(filepath.Join(dir, "quizzes"))})
	if err != nil {
		t.Fatalf("re-load imported bank: %v", err)
	}
	if len(back.Questions) != len(orig.Questions) {
		t.Fatalf("%d questions after the round trip, want %d", len(back.Questions), len(orig.Questions))
	}
	for _, o := range orig.Questions {
		g := back.Question(o.ID)
		if g == nil {
			t.Errorf("%s lost", o.ID)
			continue
		}
		type view struct {
			Type, Stem, Explanation, Lesson, Competency string
			Difficulty                                  int
			Choices                                     []catalog.Choice
			References                                  []catalog.Reference
		}
		v := func(q *catalog.Question) view {
			return view{q.Type, q.Stem, q.Explanation, q.LessonID, q.Competency.ID, q.Difficulty, q.Choices, q.References}
		}
		if !reflect.DeepEqual(v(o), v(g)) {
			t.Errorf("%s changed in the round trip:\n got %+v\nwant %+v", o.ID, v(g), v(o))
		}
	}
}

func TestRoundTripGeneratedBank(t *testing.T) {
	dir := testcontent.Write(t, map[string]string{
		"quizzes/alpha/one.yaml": strings.Replace(testcontent.Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first"),
			"stem: Question number 1 asks", "stem: \"Tricky {chars}: a=b ~c #d \\\\ and\\n\\nnewlines. Question number 1 asks", 1),
	})
	// Fix the quoted stem's end: it was a plain scalar ending in "." and now opens a quote.
	p := filepath.Join(dir, "quizzes/alpha/one.yaml")
	data, _ := os.ReadFile(p)
	data = []byte(strings.Replace(string(data), "unique words w1x w1x w1x .\n", "unique words w1x w1x w1x .\"\n", 1))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := catalog.DirSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, src)
}

// TestRoundTripWholeBank is the round trip on kcnaprep's own bank, every question.
func TestRoundTripWholeBank(t *testing.T) {
	roundTrip(t, catalog.Sources{Content: content.FS, Quizzes: quizzes.FS}) // the embedded bank; no labs
}

func copyFS(t *testing.T, fsys fs.FS, dst string) {
	t.Helper()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

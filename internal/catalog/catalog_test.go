package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

func load(t *testing.T, overrides map[string]string) (*catalog.Catalog, catalog.Problems) {
	t.Helper()
	src, err := catalog.DirSources(testcontent.Write(t, overrides))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Load(src)
	var ps catalog.Problems
	if err != nil && !errors.As(err, &ps) {
		t.Fatalf("unexpected error type: %v", err)
	}
	return c, ps
}

func TestLoadValidContent(t *testing.T) {
	c, ps := load(t, nil)
	if len(ps) > 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	if len(c.Domains) != 2 || len(c.Lessons) != 4 || len(c.Questions) != 10 {
		t.Fatalf("loaded %d domains, %d lessons, %d questions", len(c.Domains), len(c.Lessons), len(c.Questions))
	}
	l := c.Lesson("alpha/01-first")
	if l == nil || l.Next != c.Lesson("alpha/02-second") || l.Prev != nil {
		t.Fatalf("lesson order wrong: %+v", l)
	}
	if c.Lesson("beta/01-third").Prev != c.Lesson("alpha/02-second") {
		t.Error("reading order does not continue across domains")
	}
	if !strings.Contains(l.HTML, `href="/lessons/alpha/02-second"`) {
		t.Error("internal lesson link not resolved")
	}
	if len(l.Questions) != 6 || l.Questions[0].Lesson != l {
		t.Errorf("lesson has %d linked questions", len(l.Questions))
	}
	if l.Words < catalog.MinLessonWords {
		t.Errorf("words = %d", l.Words)
	}
	q := c.Question("al-one-001")
	if q == nil || q.Competency.ID != "one" || q.Domain.ID != "alpha" || !q.IsCorrect([]int{0}) || q.IsCorrect([]int{1}) || q.IsCorrect([]int{0, 0}) {
		t.Fatalf("question = %+v", q)
	}
	if !strings.Contains(q.ChoiceHTML(0), "Right answer") || q.WhyHTML(1) == "" {
		t.Error("choices not rendered")
	}
}

// TestProblemsNameFileAndLine breaks one thing at a time and expects one exact problem.
func TestProblemsNameFileAndLine(t *testing.T) {
	good := testcontent.Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first")
	cases := []struct {
		name      string
		overrides map[string]string
		want      string
	}{
		{"weights", map[string]string{"content/curriculum.yaml": strings.Replace(testcontent.Curriculum, "weight: 40", "weight: 30", 1)},
			"content/curriculum.yaml:9: domain weights sum to 90, not 100"},
		{"unknown curriculum field", map[string]string{"content/curriculum.yaml": testcontent.Curriculum + "extra: 1\n"},
			"content/curriculum.yaml:21: unknown key \"extra\""},
		{"yaml syntax", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "    type: single\n", "    type: [single\n", 1)},
			"quizzes/alpha/one.yaml:"},
		{"single with two correct", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "      - text: Wrong answer A0\n", "      - text: Wrong answer A0\n        correct: true\n", 1)},
			"quizzes/alpha/one.yaml:8: al-one-001: type single needs exactly one correct choice, has 2"},
		{"multiple with one correct", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "type: single", "type: multiple", 1)},
			"quizzes/alpha/one.yaml:8: al-one-001: type multiple needs at least two correct choices, has 1"},
		{"duplicate id", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "al-one-002", "al-one-001", 1)},
			"quizzes/alpha/one.yaml:19: duplicate question id al-one-001 (also quizzes/alpha/one.yaml:4)"},
		{"wrong prefix", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "al-one-003", "be-two-099", 1)},
			"quizzes/alpha/one.yaml:34: be-two-099: id prefix must be \"al-one\" for competency one"},
		{"all of the above", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "Wrong answer B0", "All of the above", 1)},
			"quizzes/alpha/one.yaml:14: al-one-001: choice 3: no \"all/none of the above\" choices"},
		{"missing why", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "        why: Also wrong.\n", "", 1)},
			"quizzes/alpha/one.yaml:14: al-one-001: choice 3 has no why"},
		{"two choices", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "      - text: Wrong answer B0\n        why: Also wrong.\n", "", 1)},
			"quizzes/alpha/one.yaml:8: al-one-001: 2 choices; 3 to 6 required"},
		{"bad reference host", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "https://kubernetes.io/docs/concepts/]", "https://example.com/x]", 1)},
			"quizzes/alpha/one.yaml:17: al-one-001: reference host \"example.com\" is not in curriculum.yaml reference_hosts"},
		{"http reference", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "https://kubernetes.io/docs/concepts/]", "http://kubernetes.io/docs/]", 1)},
			"must be an absolute https URL"},
		{"unknown lesson", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "lesson: alpha/01-first", "lesson: alpha/99-none", 1)},
			"quizzes/alpha/one.yaml:4: al-one-001: lesson \"alpha/99-none\" does not exist"},
		{"difficulty", map[string]string{"quizzes/alpha/one.yaml": strings.Replace(good, "difficulty: 1", "difficulty: 5", 1)},
			"quizzes/alpha/one.yaml:6: al-one-001: difficulty must be 1, 2 or 3, got 5"},
		{"near duplicate stem", map[string]string{"quizzes/beta/two.yaml": strings.Replace(testcontent.Questions("beta", "two", "be-two", 101, 4, ""),
			"stem: Question number 101 asks about readiness probe failures in depth with unique words w101x w101x w101x .",
			"stem: \"QUESTION number 2 asks about service selector matching, in depth, with the unique words w2x!\"", 1)},
			"quizzes/beta/two.yaml:4: be-two-101: stem is a near-duplicate (100% similar) of al-one-002 at quizzes/alpha/one.yaml:19"},
		{"file in wrong folder", map[string]string{"quizzes/beta/one.yaml": strings.ReplaceAll(testcontent.Questions("alpha", "one", "al-one", 50, 1, ""), "unique words", "other words")},
			"quizzes/beta/one.yaml: file must be quizzes/alpha/one.yaml or quizzes/alpha/one-<part>.yaml"},
		{"lesson unknown front matter field", map[string]string{"content/alpha/02-second.md": strings.Replace(testcontent.Lesson("Second", "one", ""), "minutes: 5\n", "minutes: 5\nauthor: me\n", 1)},
			"content/alpha/02-second.md:5: unknown key \"author\""},
		{"lesson unknown competency", map[string]string{"content/alpha/02-second.md": testcontent.Lesson("Second", "nope", "")},
			"content/alpha/02-second.md:3: unknown competency \"nope\""},
		{"lesson too short", map[string]string{"content/alpha/02-second.md": strings.Replace(testcontent.Lesson("Second", "one", ""), testcontent.Prose(640), "Too short.", 1)},
			"content/alpha/02-second.md:12: lesson has 18 words of prose; 600 to 1500 required"},
		{"lesson broken link", map[string]string{"content/alpha/02-second.md": testcontent.Lesson("Second", "one", "See [x](question:al-one-999) and [y](lab:none).")},
			"content/alpha/02-second.md:71: broken internal link question:al-one-999"},
		{"lesson relative link", map[string]string{"content/alpha/02-second.md": testcontent.Lesson("Second", "one", "See [x](../beta/01-third.md).")},
			"content/alpha/02-second.md:71: relative link \"../beta/01-third.md\""},
		{"lesson without traps", map[string]string{"content/alpha/02-second.md": strings.Replace(testcontent.Lesson("Second", "one", ""), "## Exam traps", "## Other", 1)},
			"content/alpha/02-second.md:12: lesson needs a \"## Exam traps\" section"},
		{"lesson without recap", map[string]string{"content/alpha/02-second.md": strings.Replace(testcontent.Lesson("Second", "one", ""), "## Recap", "## Summary", 1)},
			"lesson needs a \"## Recap\" section"},
		{"lesson bad reference", map[string]string{"content/alpha/02-second.md": strings.Replace(testcontent.Lesson("Second", "one", ""), "https://kubernetes.io/docs/concepts/workloads/pods/", "kubernetes.io/pods", 1)},
			"content/alpha/02-second.md:10: reference \"kubernetes.io/pods\" must be an absolute https URL"},
		{"lesson bad name", map[string]string{"content/alpha/3-x.md": testcontent.Lesson("X", "one", "")},
			"content/alpha/3-x.md: lesson file name must be NN-slug.md"},
		{"lesson no front matter", map[string]string{"content/alpha/02-second.md": "# Hello\n"},
			"content/alpha/02-second.md:1: lesson must start with YAML front matter"},
		{"coverage", map[string]string{"content/beta/02-fourth.md": ""},
			"content/curriculum.yaml:19: competency two is covered by 1 lesson(s); at least 2 required"},
		{"unknown callout", map[string]string{"content/alpha/02-second.md": testcontent.Lesson("Second", "one", "> [!DANGER]\n> x")},
			"content/alpha/02-second.md:71: unknown callout [!DANGER]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := load(t, tc.overrides)
			if len(ps) == 0 {
				t.Fatalf("no problems; want %q", tc.want)
			}
			for _, p := range ps {
				if strings.Contains(p.String(), tc.want) {
					return
				}
			}
			t.Errorf("want a problem containing %q, got:\n%v", tc.want, ps)
		})
	}
}

func TestStats(t *testing.T) {
	c, ps := load(t, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	s := c.Stats()
	if s.Questions != 10 || s.Domains[0].Questions != 6 || s.Domains[0].Share != 60 || s.ByType[catalog.Single] != 10 {
		t.Errorf("stats = %+v", s)
	}
	var b strings.Builder
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "alpha") || !strings.Contains(b.String(), "60.0%") {
		t.Errorf("stats output:\n%s", b.String())
	}
}

// A YAML mistake is reported on its own line, in YAML's terms, and once: what the broken file
// defines is not reported missing everywhere it is used (issue 14, point 9).
func TestYAMLErrorsOnTheirLineWithoutCascade(t *testing.T) {
	good := testcontent.Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first")
	lines := strings.Split(good, "\n")
	// A bad indent deep in the file: the parser blames the "questions:" line, not this one.
	const bad = 40
	broken := strings.Join(lines[:bad-1], "\n") + "\n   oops: x\n" + strings.Join(lines[bad-1:], "\n")
	_, ps := load(t, map[string]string{"quizzes/alpha/one.yaml": broken})
	if len(ps) != 1 || ps[0].File != "quizzes/alpha/one.yaml" || ps[0].Line != bad {
		t.Errorf("bad indent on line %d reported as:\n%v", bad, ps)
	}

	// Unknown keys and wrong kinds of value name the key and the kind, not Go types.
	typo := strings.Replace(good, "difficulty: 1", "dificulty: 1\n    difficulty: [1]", 1)
	_, ps = load(t, map[string]string{"quizzes/alpha/one.yaml": typo})
	if len(ps) == 0 {
		t.Fatal("no problem for an unknown key")
	}
	for _, p := range ps {
		if strings.Contains(p.Msg, "catalog.") || strings.Contains(p.Msg, "[]") || strings.Contains(p.Msg, "!!") {
			t.Errorf("problem speaks Go, not YAML: %s", p)
		}
	}
	if !strings.Contains(ps.Error(), `unknown key "dificulty"`) || !strings.Contains(ps.Error(), "found a list where a number is expected") {
		t.Errorf("problems:\n%v", ps)
	}

	// A lesson whose front matter is broken is one problem, though questions and other
	// lessons point at it.
	lesson := strings.Replace(testcontent.Lesson("First", "one", ""), "minutes: 5\n", "minutes: 5\n  oops: [\n", 1)
	linker := testcontent.Lesson("Second", "one", "See [the first](lesson:alpha/01-first) and [q](question:al-one-001).")
	_, ps = load(t, map[string]string{"content/alpha/01-first.md": lesson, "content/alpha/02-second.md": linker})
	if len(ps) != 1 || ps[0].File != "content/alpha/01-first.md" {
		t.Errorf("one broken lesson gave %d problems:\n%v", len(ps), ps)
	}
	// Likewise a question file: links to its questions are not broken links on top.
	_, ps = load(t, map[string]string{"quizzes/alpha/one.yaml": broken, "content/alpha/02-second.md": linker})
	if len(ps) != 1 {
		t.Errorf("one broken question file gave %d problems:\n%v", len(ps), ps)
	}
}

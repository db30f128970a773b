package catalog_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

func hasProblem(ps catalog.Problems, want string) bool {
	for _, p := range ps {
		if strings.Contains(p.String(), want) {
			return true
		}
	}
	return false
}

// A right option that carries its own justification is refused question by question.
func TestOptionFormRefusesMuchLongerRightOption(t *testing.T) {
	good := testcontent.Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first")
	bad := strings.Replace(good, "text: Right answer 0\n", "text: Right answer 0, because the controller compares desired and observed state\n", 1)
	_, ps := load(t, map[string]string{"quizzes/alpha/one.yaml": bad})
	if !hasProblem(ps, "quizzes/alpha/one.yaml:4: al-one-001: the right option (74 characters) is much longer than every wrong one (at most 15)") {
		t.Fatalf("no much-longer problem for al-one-001 in:\n%v", ps)
	}
	if c, ps := load(t, nil); len(ps) != 0 || c == nil {
		t.Fatalf("the valid tree must pass: %v", ps)
	}
}

// A file (and the bank) where the longest option is right too often fails as a whole, even
// when no single question is a flagrant giveaway.
func TestOptionFormDriftInFileAndBank(t *testing.T) {
	qs := testcontent.Questions("alpha", "one", "al-one", 1, 12, "alpha/01-first")
	// "Right answer N, surely" beats "Wrong answer AN" by a few characters: a tell, not a
	// flagrant one.
	for i := range 12 {
		qs = strings.Replace(qs, "text: Right answer "+strconv.Itoa(i)+"\n", "text: Right answer "+strconv.Itoa(i)+", surely\n", 1)
	}
	c, ps := load(t, map[string]string{"quizzes/alpha/one.yaml": qs})
	if c != nil {
		t.Fatal("content with a longest-option tell loaded")
	}
	for _, want := range []string{
		"quizzes/alpha/one.yaml: this file: always picking the longest option scores 100% (12 of 12); keep it at most 40%",
		"quizzes/alpha/one.yaml: this file: the right option is the strictly longest in 100% of single-answer questions (12 of 12)",
		"quizzes/alpha: domain alpha: always picking the longest option scores 100% (12 of 12)",
		"quizzes: the bank: always picking the longest option scores 75% (12 of 16); keep it at most 35%",
	} {
		if !hasProblem(ps, want) {
			t.Errorf("missing problem %q in:\n%v", want, ps)
		}
	}
	if hasProblem(ps, "much longer") {
		t.Errorf("a few characters more is not 'much longer': %v", ps)
	}
}

func TestLongestGuessMultiple(t *testing.T) {
	q := &catalog.Question{Type: catalog.Multiple, Choices: []catalog.Choice{
		{Text: "a much longer right option", Correct: true},
		{Text: "short"},
		{Text: "another long right option", Correct: true},
		{Text: "tiny"},
	}}
	if !q.LongestGuessWins() {
		t.Error("the two longest are the two right ones: the guesser wins")
	}
	q.Choices[1].Text = "a wrong option that is longest of all"
	if q.LongestGuessWins() {
		t.Error("the guesser picks a wrong option among the two longest")
	}
	if q.RightStrictlyLongest() {
		t.Error("RightStrictlyLongest is for single-answer questions")
	}
}

func TestTags(t *testing.T) {
	good := testcontent.Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first")
	tagged := strings.Replace(good, "    type: single\n", "    type: single\n    tags: [beyond-kcna]\n", 1)
	c, ps := load(t, map[string]string{"quizzes/alpha/one.yaml": tagged})
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	q := c.Question("al-one-001")
	if !q.HasTag(catalog.TagBeyondKCNA) || q.ExamEligible() {
		t.Errorf("al-one-001 tags %v: want beyond-kcna and not exam-eligible", q.Tags)
	}
	if !c.Question("al-one-002").ExamEligible() {
		t.Error("an untagged question is exam-eligible")
	}
	unknown := strings.Replace(good, "    type: single\n", "    type: single\n    tags: [trivia]\n", 1)
	if _, ps := load(t, map[string]string{"quizzes/alpha/one.yaml": unknown}); !hasProblem(ps, `quizzes/alpha/one.yaml:6: al-one-001: unknown tag "trivia"`) {
		t.Errorf("unknown tag not reported: %v", ps)
	}
}

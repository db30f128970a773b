package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

type contextT = context.Context

func testContentDir(t *testing.T) string { return testcontent.Write(t, nil) }

// examContentDir is generated content with a 12-question, 30-minute exam and a mix of
// single- and multiple-answer questions.
func examContentDir(t *testing.T) string {
	cur := strings.Replace(testcontent.Curriculum, "questions: {value: 4, status: reported}", "questions: {value: 12, status: reported}", 1)
	cur = strings.Replace(cur, "minutes: {value: 10, status: official}", "minutes: {value: 30, status: official}", 1)
	multi := testcontent.Questions("alpha", "one", "al-one", 1, 10, "")
	// Turn the first two alpha questions into multiple-answer questions (two right).
	multi = strings.Replace(multi, "    type: single\n    difficulty: 1\n", "    type: multiple\n    difficulty: 1\n", 2)
	multi = strings.Replace(multi, "      - text: Wrong answer A0\n", "      - text: Also right A0\n        correct: true\n", 1)
	multi = strings.Replace(multi, "      - text: Wrong answer A3\n", "      - text: Also right A3\n        correct: true\n", 1)
	return testcontent.Write(t, map[string]string{
		"content/curriculum.yaml": cur,
		"quizzes/alpha/one.yaml":  multi,
		"quizzes/beta/two.yaml":   testcontent.Questions("beta", "two", "be-two", 101, 8, ""),
	})
}

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

// TestClassStatsAndQuestionsCLI runs `server class stats` and `server class questions` on a
// database seeded with the classroom's hand-computed exam table.
func TestClassStatsAndQuestionsCLI(t *testing.T) {
	ctx := context.Background()
	content := testcontent.Write(t, nil)
	data := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(data, "kcnaprep.db"))
	if err != nil {
		t.Fatal(err)
	}
	teacher, err := db.CreateUser(ctx, "teacher", "Teacher", domain.RoleInstructor)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClass(ctx, &domain.Class{ID: "kcna", Title: "KCNA"}, teacher.ID); err != nil {
		t.Fatal(err)
	}
	ids := []string{"al-one-001", "al-one-002", "al-one-003"}
	for i, marks := range [][]bool{{true, true, true}, {true, true, false}, {true, false, true}, {false, true, false}, {false, false, false}} {
		u, err := db.CreateUser(ctx, "s"+string(rune('1'+i)), "S", domain.RoleLearner)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddClassMember(ctx, "kcna", u.ID, domain.ClassStudent, ""); err != nil {
			t.Fatal(err)
		}
		ne := domain.NewExam{Minutes: 10, PassScore: 1, MaxScore: 3}
		sub := domain.ExamSubmission{}
		for j, id := range ids {
			ne.Questions = append(ne.Questions, domain.NewExamQuestion{QuestionID: id, ChoiceOrder: []int{0, 1, 2}})
			sub.Answers = append(sub.Answers, domain.AnswerRecord{QuestionID: id, Picked: []int{0}, Correct: marks[j]})
		}
		e, err := db.CreateExam(ctx, u.ID, ne)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SubmitExam(ctx, u.ID, e.ID, sub); err != nil {
			t.Fatal(err)
		}
	}
	// A learner outside the class: only --all reads their attempt.
	out, err := db.CreateUser(ctx, "outsider", "O", domain.RoleLearner)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := db.CreateExam(ctx, out.ID, domain.NewExam{Minutes: 10, PassScore: 1, MaxScore: 1,
		Questions: []domain.NewExamQuestion{{QuestionID: "be-two-001", ChoiceOrder: []int{0, 1, 2}}}})
	if _, err := db.SubmitExam(ctx, out.ID, e.ID, domain.ExamSubmission{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := []string{"KCNAPREP_DATA_DIR=" + data, "KCNAPREP_CONTENT_DIR=" + content}

	stdout, stderr, code := runBin(t, env, "class", "stats", "kcna", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != 0 || err != nil || len(recs) != 4 {
		t.Fatalf("stats csv: %d %v\n%s\n%s", code, err, stdout, stderr)
	}
	want := [][]string{
		{"question_id", "attempts", "facility", "sd", "discrimination", "discriminative_efficiency", "flagged", "reports"},
		{"al-one-001", "5", "0.6000", "0.5477", "64.5497", "100.0000", "false", "0"},
		{"al-one-002", "5", "0.6000", "0.5477", "0.0000", "0.0000", "true", "0"},
		{"al-one-003", "5", "0.4000", "0.5477", "32.7327", "37.5000", "false", "0"},
	}
	for i := range want {
		if strings.Join(recs[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("row %d = %v, want %v", i, recs[i], want[i])
		}
	}
	stdout, _, code = runBin(t, env, "class", "stats", "--all", "--format", "json")
	var js struct {
		Class    string            `json:"class"`
		Attempts int               `json:"attempts"`
		Items    []domain.ItemStat `json:"items"`
	}
	if err := json.Unmarshal([]byte(stdout), &js); code != 0 || err != nil || js.Class != "ALL" || js.Attempts != 6 || len(js.Items) != 4 {
		t.Fatalf("stats --all json: %d %v\n%s", code, err, stdout)
	}
	if _, stderr, code := runBin(t, env, "class", "stats", "nope", "--format", "csv"); code != 1 || !strings.Contains(stderr, "No such class.") {
		t.Errorf("unknown class: %d %q", code, stderr)
	}

	// Questions: import prints what it skipped with file:line, re-import updates, export re-imports.
	fixture, _ := filepath.Abs("../../internal/classroom/testdata/moodle-export.gift")
	stdout, stderr, code = runBin(t, env, "class", "questions", "import", "kcna", fixture)
	if code != 0 || !strings.Contains(stdout, "class kcna: 5 added, 0 updated, 5 skipped") ||
		!strings.Contains(stderr, "moodle-export.gift:31: skipped:") {
		t.Fatalf("import: %d\n%s\n%s", code, stdout, stderr)
	}
	gift := filepath.Join(t.TempDir(), "out.gift")
	if _, stderr, code := runBin(t, env, "class", "questions", "export", "kcna", "--out", gift); code != 0 || !strings.Contains(stderr, "exported 5 question(s)") {
		t.Fatalf("export: %d %s", code, stderr)
	}
	stdout, stderr, code = runBin(t, env, "class", "questions", "import", "kcna", gift)
	if code != 0 || !strings.Contains(stdout, "0 added, 5 updated, 0 skipped") {
		t.Fatalf("re-import of the export: %d\n%s\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(gift); !strings.Contains(string(b), "::Restart policy::[markdown]") {
		t.Errorf("export:\n%s", b)
	}
}

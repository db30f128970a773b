package classroom_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// openAt opens the store on dir/kcnaprep.db, so a test can close and reopen the same file.
func openAt(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "kcnaprep.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func notesAt(notes []classroom.ImportNote) map[int]string {
	m := map[int]string{}
	for _, n := range notes {
		m[n.Line] += n.Msg + "\n"
	}
	return m
}

// TestConvertMoodleExport reads a file laid out as Moodle 4 exports GIFT (HTML text, id
// numbers and tags in comments, categories, escapes) with every question type.
func TestConvertMoodleExport(t *testing.T) {
	cat := testenv.MustLoadContent(t, nil).Catalog
	qs, rep := classroom.ConvertGIFT(cat, open(t, "moodle-export.gift"))
	byName := map[string]*domain.ClassQuestion{}
	var names []string
	for _, q := range qs {
		byName[q.Name] = q
		names = append(names, q.Name)
	}
	if want := []string{"Restart policy", "Labels pick Pods", "Pods share an IP", "DNS name", "Tricky characters"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("imported %q, want %q; report %+v", names, want, rep)
	}
	// Unsupported types are listed with their line and type, and nothing else is skipped.
	skipped := notesAt(rep.Skipped)
	for line, kind := range map[int]string{31: "essay", 34: "matching", 41: "numerical", 44: "short answer", 47: "description"} {
		if !strings.Contains(skipped[line], "GIFT "+kind+" questions are not supported") {
			t.Errorf("line %d: skipped = %q, want the %s type named", line, skipped[line], kind)
		}
	}
	if len(rep.Skipped) != 5 {
		t.Errorf("%d skipped, want 5: %v", len(rep.Skipped), rep.Skipped)
	}

	rp := byName["Restart policy"]
	if rp.Kind != domain.ClassSingle || rp.IDNumber != "kcna-ev-01" || rp.Key != "id:kcna-ev-01" || rp.Line != 7 {
		t.Errorf("restart policy: %+v", rp)
	}
	if !strings.Contains(rp.Stem, "`restartPolicy`") || !strings.Contains(rp.Stem, "**OnFailure**") || strings.Contains(rp.Stem, "<p>") {
		t.Errorf("HTML not turned into Markdown: %q", rp.Stem)
	}
	// Partial credit keeps the question single-answer: only the 100% answer is right, the
	// 50% one is wrong here but keeps its weight, and the report says so.
	if c := rp.Choices; len(c) != 4 || !c[0].Correct || c[2].Correct || c[2].Weight != 50 || c[1].Correct {
		t.Errorf("restart policy choices: %+v", c)
	}
	if w := notesAt(rep.Warnings)[7]; !strings.Contains(w, "earns 50% in Moodle") {
		t.Errorf("no partial-credit note at line 7: %q", w)
	}
	if len(rp.References) != 1 || rp.References[0].URL != "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy" {
		t.Errorf("reference from the general feedback: %+v", rp.References)
	}

	lp := byName["Labels pick Pods"]
	if lp.Kind != domain.ClassMultiple || !lp.Choices[0].Correct || !lp.Choices[1].Correct || lp.Choices[2].Correct || lp.Choices[3].Correct {
		t.Errorf("multiple answers: %+v", lp)
	}
	if !strings.Contains(lp.Stem, "`app=web`") {
		t.Errorf("escaped = lost: %q", lp.Stem)
	}
	// Missing explanation, reasons and reference: warnings, not refusals.
	w := notesAt(rep.Warnings)[16]
	for _, s := range []string{"no general feedback", "answer 1, 2, 3, 4 without feedback", "no reference"} {
		if !strings.Contains(w, s) {
			t.Errorf("line 16 warnings %q lack %q", w, s)
		}
	}

	tf := byName["Pods share an IP"]
	if tf.Kind != domain.ClassTrueFalse || len(tf.Choices) != 2 || tf.Choices[0].Text != "True" || !tf.Choices[0].Correct ||
		tf.Choices[1].Correct || tf.Choices[0].Why != "Right: one IP per Pod." || !strings.Contains(tf.Choices[1].Why, "They do share it") {
		t.Errorf("true/false: %+v", tf)
	}
	if !strings.Contains(tf.Stem, "namespace: they") {
		t.Errorf("escaped colon: %q", tf.Stem)
	}

	dns := byName["DNS name"]
	if dns.Kind != domain.ClassSingle || !strings.Contains(dns.Stem, `as \_\_\_\_\_ from a Pod`) || dns.Choices[0].Text != "`api.shop`" || !dns.Choices[0].Correct {
		t.Errorf("missing word: %q %+v", dns.Stem, dns.Choices)
	}
	tc := byName["Tricky characters"]
	if !strings.Contains(tc.Stem, `\{set-based\}`) && !strings.Contains(tc.Stem, "{set-based}") {
		t.Errorf("escaped braces: %q", tc.Stem)
	}
	if tc.Choices[2].Text != "`tier ~ a,b`" {
		t.Errorf("escaped tilde in code: %q", tc.Choices[2].Text)
	}
}

func TestConvertHandwritten(t *testing.T) {
	cat := testenv.MustLoadContent(t, nil).Catalog
	qs, rep := classroom.ConvertGIFT(cat, open(t, "handwritten.gift"))
	if len(qs) != 3 {
		t.Fatalf("imported %d, want 3: %+v %+v", len(qs), qs, rep)
	}
	if qs[0].Competency != "one" || qs[0].Choices[0].Why != "it changes spec.replicas from metrics" {
		t.Errorf("first question: %+v", qs[0])
	}
	if qs[1].Name != "Which of these are CNCF graduated projects?" || qs[1].Kind != domain.ClassMultiple {
		t.Errorf("untitled question: %+v", qs[1])
	}
	if qs[2].Kind != domain.ClassTrueFalse {
		t.Errorf("true/false: %+v", qs[2])
	}
	skipped := notesAt(rep.Skipped)
	if !strings.Contains(skipped[19], "no closing }") || !strings.Contains(skipped[23], "no answer is marked right") {
		t.Errorf("skipped: %v", rep.Skipped)
	}
}

// TestImportUpdatesExportRoundTrip: an upload stores the questions; uploading the same file
// again updates them (same ids, no duplicates); an edited file updates in place; the export
// imports back to the same questions; and they survive closing and reopening the database.
func TestImportUpdatesExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	content := testenv.MustLoadContent(t, nil)
	dir := t.TempDir()
	db := openAt(t, dir)
	svc := classroom.New(content.Catalog, db)
	teacher := testenv.MustCreateUser(t, db, "teacher", domain.RoleInstructor)
	other := testenv.MustCreateUser(t, db, "other", domain.RoleInstructor)
	student := testenv.MustCreateUser(t, db, "ana", domain.RoleLearner)
	for _, id := range []string{"kcna", "other"} {
		if err := db.CreateClass(ctx, &domain.Class{ID: id, Title: id}, map[string]int64{"kcna": teacher.ID, "other": other.ID}[id]); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddClassMember(ctx, "kcna", student.ID, domain.ClassStudent, ""); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/moodle-export.gift")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.ImportQuestions(ctx, teacher, "kcna", bytes.NewReader(data))
	if err != nil || rep.Created != 5 || rep.Updated != 0 {
		t.Fatalf("first import: %+v %v", rep, err)
	}
	// Strangers and students cannot import, list or export.
	for _, u := range []*domain.User{other, student} {
		if _, err := svc.ImportQuestions(ctx, u, "kcna", bytes.NewReader(data)); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s imported: %v", u.Username, err)
		}
		if _, err := svc.ExportQuestions(ctx, u, "kcna", &bytes.Buffer{}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s exported: %v", u.Username, err)
		}
	}
	first, err := svc.QuestionList(ctx, teacher, "kcna")
	if err != nil || len(first) != 5 {
		t.Fatalf("list: %d %v", len(first), err)
	}
	rep, err = svc.ImportQuestions(ctx, teacher, "kcna", bytes.NewReader(data))
	if err != nil || rep.Created != 0 || rep.Updated != 5 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	edited := strings.Replace(string(data), "What does the kubelet do?", "What does the node agent do?", 1)
	if rep, err = svc.ImportQuestions(ctx, teacher, "kcna", strings.NewReader(edited)); err != nil || rep.Created != 0 || rep.Updated != 5 {
		t.Fatalf("edited re-import: %+v %v", rep, err)
	}
	again, _ := svc.QuestionList(ctx, teacher, "kcna")
	if len(again) != 5 {
		t.Fatalf("%d questions after re-imports, want 5", len(again))
	}
	for i := range again {
		if again[i].ID != first[i].ID {
			t.Errorf("question %q changed id %d -> %d", again[i].Name, first[i].ID, again[i].ID)
		}
		if again[i].Name == "Restart policy" && !strings.Contains(again[i].Stem, "node agent") {
			t.Errorf("edit not applied: %q", again[i].Stem)
		}
	}

	// Export, then import the export into another class: the same questions come back.
	var out bytes.Buffer
	if n, err := svc.ExportQuestions(ctx, teacher, "kcna", &out); err != nil || n != 5 {
		t.Fatalf("export: %d %v", n, err)
	}
	rep, err = svc.ImportQuestions(ctx, other, "other", bytes.NewReader(out.Bytes()))
	if err != nil || rep.Created != 5 || len(rep.Skipped) != 0 {
		t.Fatalf("import of the export: %+v %v\n%s", rep, err, out.String())
	}
	back, _ := svc.QuestionList(ctx, other, "other")
	type view struct {
		Name, IDNumber, Category, Competency, Stem, Explanation string
		Kind                                                    domain.ClassQuestionKind
		Difficulty                                              int
		Choices                                                 []domain.ClassChoice
		References                                              []domain.ClassReference
	}
	v := func(q *domain.ClassQuestion) view {
		return view{q.Name, q.IDNumber, q.Category, q.Competency, q.Stem, q.Explanation, q.Kind, q.Difficulty, q.Choices, q.References}
	}
	for i := range again {
		if !reflect.DeepEqual(v(again[i]), v(back[i])) {
			t.Errorf("round trip changed %q:\n got %+v\nwant %+v", again[i].Name, v(back[i]), v(again[i]))
		}
	}
	// And the export of the copy is the same file.
	var out2 bytes.Buffer
	if _, err := svc.ExportQuestions(ctx, other, "other", &out2); err != nil || out2.String() != out.String() {
		t.Errorf("second export differs (%v):\n%s\n----\n%s", err, out.String(), out2.String())
	}

	// As catalog questions, for practice sets and class exams: scored and rendered like the bank's.
	cqs, err := svc.ClassQuestions(ctx, "kcna")
	if err != nil || len(cqs) != 5 {
		t.Fatalf("ClassQuestions: %d %v", len(cqs), err)
	}
	for _, q := range cqs {
		if !strings.HasPrefix(q.ID, "cq-") || q.StemHTML() == "" || strings.Contains(q.StemHTML(), "<script") {
			t.Errorf("catalog question %s: %q", q.ID, q.StemHTML())
		}
		if q.ID == again[0].QuestionID() {
			if !q.IsCorrect(q.Correct()) || q.IsCorrect([]int{len(q.Choices) - 1}) && !q.Choices[len(q.Choices)-1].Correct {
				t.Errorf("%s scores wrongly", q.ID)
			}
		}
		one, classID, err := svc.ClassQuestion(ctx, q.ID)
		if err != nil || classID != "kcna" || one.Stem != q.Stem {
			t.Errorf("ClassQuestion(%s) = %v %q %v", q.ID, one, classID, err)
		}
	}
	if _, _, err := svc.ClassQuestion(ctx, "kf-core-001"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bank id as class question: %v", err)
	}

	// A restart: the questions are in the database file.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := openAt(t, dir)
	after, err := classroom.New(content.Catalog, db2).QuestionList(ctx, teacher, "kcna")
	if err != nil || len(after) != 5 || after[0].ID != first[0].ID {
		t.Fatalf("after reopening: %d %v", len(after), err)
	}
}

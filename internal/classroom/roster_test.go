package classroom_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

func problems(t *testing.T, csv string, sections ...string) []string {
	t.Helper()
	rows, err := classroom.ParseRoster("r.csv", strings.NewReader(csv), sections)
	var rerr *domain.RosterError
	if err == nil {
		if len(rows) == 0 {
			t.Fatalf("no rows and no error for %q", csv)
		}
		return nil
	}
	if !errors.As(err, &rerr) {
		t.Fatalf("%q: %v is not a roster error", csv, err)
	}
	if rows != nil {
		t.Errorf("%q: rows returned with problems", csv)
	}
	var out []string
	for _, p := range rerr.Problems {
		out = append(out, p.String("r.csv"))
	}
	return out
}

func TestParseRosterGood(t *testing.T) {
	// A byte-order mark, columns in another order, RFC 4180 quoting (a comma, a doubled quote,
	// a line break in a name), CRLF line ends, a trailing blank line, UTF-8 names.
	in := "\ufeffsection,Email,username,name\r\n" +
		"a,jane@example.org,jane,\"Doe, Jane\"\r\n" +
		",,bob,\"Bob \"\"the builder\"\"\"\r\n" +
		"b,,zoë-1,Zoë Müller\r\n" +
		",,j.doe,\r\n\r\n"
	rows, err := classroom.ParseRoster("r.csv", strings.NewReader(strings.Replace(in, "zoë-1", "zoe-1", 1)), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.RosterRow{
		{Line: 2, Username: "jane", Name: "Doe, Jane", Email: "jane@example.org", Section: "a"},
		{Line: 3, Username: "bob", Name: `Bob "the builder"`},
		{Line: 4, Username: "zoe-1", Name: "Zoë Müller", Section: "b"},
		{Line: 5, Username: "j.doe"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows\n got %v\nwant %v", rows, want)
	}
}

// Every problem is named with its line, and the file is refused whole.
func TestParseRosterProblems(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		sections  []string
		want      []string
	}{
		{"empty file", "", nil, []string{"r.csv: the file is empty"}},
		{"header only", "username,name,email,section\n", nil, []string{"r.csv: no people"}},
		{"unknown column", "username,name,email,section,phone\nana,,,,1\n", nil, []string{`r.csv:1: unknown column "phone"`}},
		{"missing column", "username,name,email\nana,,\n", nil, []string{`r.csv:1: missing column "section"`}},
		{"repeated column", "username,name,email,section,name\n", nil, []string{`r.csv:1: the column "name" appears twice`}},
		{"no header", "ana,Ana,,\n", nil, []string{`r.csv:1: the first line is not the header`}},
		{"field across lines", "username,name,email,section\nana,\"A\nB\",,\nbob,,,x\n", nil, []string{
			"r.csv:2: the name is longer than 200 characters or holds control characters", `r.csv:4: unknown section "x"`}},
		{"every row problem", "username,name,email,section\n" +
			",Nobody,,\n" + // 2
			"Ana,Ana,,\n" + // 3
			"ana smith,x,,\n" + // 4
			"bob,Bob,,\n" + // 5
			"bob,Bob again,,\n" + // 6
			"cy,\"Cy \"x\" y\",,\n" + // 7: bare quote inside a quoted field
			"dee,Dee,not-an-address,\n" + // 8
			"eve,Eve,,zz\n" + // 9
			"fay,Fay\n" + // 10
			"gus,x\"y,,\n", // 11: bare quote in an unquoted field
			[]string{"a"}, []string{
				"r.csv:2: empty username",
				`r.csv:3: The username "Ana" has capitals`,
				`r.csv:4: The username "ana smith" is not allowed`,
				`r.csv:6: the username "bob" is also on line 5`,
				`r.csv:7: bad CSV`,
				`r.csv:8: "not-an-address" is not an e-mail address`,
				`r.csv:9: unknown section "zz": the class's sections are a`,
				`r.csv:10: 2 fields, but the header has 4`,
				`r.csv:11: bad CSV: a quote (") inside a field`,
			}},
		{"unterminated quote", "username,name,email,section\nana,\"Ana,,\nbob,Bob,,\n", nil, []string{"r.csv:2: bad CSV: a quoted field opened on line 2 is never closed"}},
		{"not utf-8", "username,name,email,section\nana,Ana,,\nbob,B\xe9b,,\n", nil, []string{"r.csv:3: the file is not UTF-8"}},
		{"section without sections", "username,name,email,section\nana,,,a\n", nil, []string{`r.csv:2: unknown section "a": the class has no sections`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, tc.csv, tc.sections...)
			if len(got) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(tc.want), strings.Join(tc.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("problem %d = %q, want it to start with %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseRosterTooMany(t *testing.T) {
	var b strings.Builder
	b.WriteString("username,name,email,section\n")
	for i := range classroom.MaxRosterRows + 1 {
		fmt.Fprintf(&b, "u%d,,,\n", i)
	}
	got := problems(t, b.String())
	if len(got) != 1 || !strings.Contains(got[0], "more than 5000 people") {
		t.Errorf("problems: %v", got)
	}
}

// FuzzRoster feeds the roster parser arbitrary files: it never panics, returns rows or a
// roster error (never both, never neither), and every row it accepts is a valid one.
func FuzzRoster(f *testing.F) {
	f.Add("username,name,email,section\nana,Ana,ana@example.org,a\n")
	f.Add("\ufeffsection,name,username,email\r\nb,\"Doe, J\",j.doe,\r\n")
	f.Add("username,name,email,section\n\"ana,\"x\"\n")
	f.Add("username,name,email,section\nana,,,\nana,,,\n,,,\n")
	f.Add("username\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := classroom.ParseRoster("f.csv", strings.NewReader(in), []string{"a", "b"})
		if (err == nil) == (len(rows) == 0) {
			t.Fatalf("rows %d and err %v", len(rows), err)
		}
		var rerr *domain.RosterError
		if err != nil && (!errors.As(err, &rerr) || len(rerr.Problems) == 0) {
			t.Fatalf("error without problems: %v", err)
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if domain.ValidateUsername(r.Username) != nil || seen[r.Username] || r.Line < 2 {
				t.Fatalf("bad row accepted: %+v", r)
			}
			if r.Section != "" && r.Section != "a" && r.Section != "b" {
				t.Fatalf("unknown section accepted: %+v", r)
			}
			seen[r.Username] = true
		}
	})
}

// An instructor whose site role is taken back to learner keeps the class membership in the
// database but may no longer teach, see the roster or list the class; giving the role back
// restores them.
func TestDemotedInstructorLosesTheClass(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.Teach(f.ctx, f.teacher, "kcna"); err != nil {
		t.Fatalf("the instructor cannot teach the class: %v", err)
	}
	demoted := *f.teacher
	demoted.Role = domain.RoleLearner
	if _, err := f.svc.Teach(f.ctx, &demoted, "kcna"); err != classroom.ErrNoClass {
		t.Errorf("a demoted instructor teaches: %v", err)
	}
	if _, _, err := f.svc.Roster(f.ctx, &demoted, "kcna"); err != classroom.ErrNoClass {
		t.Errorf("a demoted instructor reads the roster: %v", err)
	}
	if role, err := f.svc.Access(f.ctx, &demoted, "kcna"); err != classroom.ErrNoClass {
		t.Errorf("a demoted instructor has access %q, %v", role, err)
	}
	mine, err := f.svc.Classes(f.ctx, &demoted)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 0 {
		t.Errorf("a demoted instructor lists %d classes", len(mine))
	}
	if _, err := f.svc.Teach(f.ctx, f.teacher, "kcna"); err != nil {
		t.Errorf("with the role back, the class is not theirs again: %v", err)
	}
	// The class's own questions too: the scope is in SQL, by the role in the database.
	if rep, err := f.svc.ImportQuestions(f.ctx, f.teacher, "kcna", strings.NewReader(ownGIFT)); err != nil || rep.Created != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	qs, err := f.db.ClassQuestionList(f.ctx, "kcna")
	if err != nil || len(qs) == 0 {
		t.Fatalf("class questions: %v %v", qs, err)
	}
	ids := []string{qs[0].QuestionID()}
	visible := func() int {
		t.Helper()
		got, err := f.svc.QuestionsFor(f.ctx, f.teacher.ID, ids)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if visible() != 1 {
		t.Fatal("the instructor does not see the class's own question")
	}
	if err := f.db.SetRole(f.ctx, "teacher", domain.RoleLearner); err != nil {
		t.Fatal(err)
	}
	if n := visible(); n != 0 {
		t.Errorf("a demoted instructor still sees %d of the class's own questions", n)
	}
	if err := f.db.SetRole(f.ctx, "teacher", domain.RoleInstructor); err != nil {
		t.Fatal(err)
	}
	if visible() != 1 {
		t.Error("with the role back, the class's own question is hidden")
	}
}

package markdown

import (
	"errors"
	"strings"
	"testing"
)

type lineErr struct{ line int }

func (e lineErr) Error() string    { return "bad diagram" }
func (e lineErr) DiagramLine() int { return e.line }

func TestDiagramFencesBecomeFigures(t *testing.T) {
	var got []string
	r := New(WithDiagrams(func(src string) (Diagram, error) {
		got = append(got, src)
		return Diagram{Title: "T <1>", Desc: "D", SVG: `<svg role="img"></svg>`}, nil
	}))
	src := "Intro words here.\n\n```d2\n# title: T\na -> b\n```\n\n```yaml\nkind: Pod\n```\n"
	d, err := r.Render([]byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "# title: T\na -> b\n" {
		t.Fatalf("diagram func got %q", got)
	}
	if !strings.Contains(d.HTML, `<figure class="diagram"><svg role="img"></svg><figcaption>T &lt;1&gt;</figcaption></figure>`) {
		t.Errorf("no figure in %s", d.HTML)
	}
	if strings.Contains(d.HTML, "a -&gt; b") || !strings.Contains(d.HTML, "kind") {
		t.Errorf("the d2 fence must be replaced and the yaml fence kept: %s", d.HTML)
	}
	if d.Words != 3 || !strings.Contains(d.Text, "T <1>. D") {
		t.Errorf("words %d text %q: a diagram is not prose but its title and description are searchable", d.Words, d.Text)
	}
	// Without a diagram function a d2 fence is just code.
	d, _ = New().Render([]byte(src), nil)
	if strings.Contains(d.HTML, "<figure") {
		t.Error("no WithDiagrams, no figure")
	}
}

func TestDiagramErrorsCarryTheMarkdownLine(t *testing.T) {
	r := New(WithDiagrams(func(string) (Diagram, error) { return Diagram{}, lineErr{2} }))
	src := "Para.\n\nMore.\n\n```d2\n# title: T\nbroken\n```\n"
	_, err := r.Render([]byte(src), nil)
	var de *DiagramError
	if !errors.As(err, &de) {
		t.Fatalf("want DiagramError, got %v", err)
	}
	// The fence opens on line 5, its first source line is 6, the error is on the source's line 2.
	if de.Line != 7 {
		t.Errorf("line %d, want 7", de.Line)
	}
}

package diagram

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const small = `# title: A Service and its Pods
# desc: A Service selects two Pods by label and load-balances to them.
svc: Service
p1: Pod 1
p2: Pod 2
svc -> p1
svc -> p2
`

// The real D2 engine lays out a small diagram; the SVG it yields is safe to inline under a
// strict CSP and names itself for screen readers.
func TestRenderIsInlineSafeAndAccessible(t *testing.T) {
	d, err := Render(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "A Service and its Pods" || !strings.HasPrefix(d.Desc, "A Service selects") {
		t.Errorf("title %q desc %q", d.Title, d.Desc)
	}
	for _, bad := range []string{"<?xml", "<style", "style=", "@font-face", "<script", "href="} {
		if strings.Contains(d.SVG, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	key := Key(small)
	for _, want := range []string{`<svg role="img" aria-labelledby="dg-` + key + `-t dg-` + key + `-d" class="diagram-svg" width="`,
		`<title id="dg-` + key + `-t">A Service and its Pods</title>`, `<desc id="dg-` + key + `-d">A Service selects two Pods`,
		`>Service</text>`, `stroke-width="2"`, `class=" stroke-B1 fill-B6"`} {
		if !strings.Contains(d.SVG, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if Key(small) == Key(small+"\n") {
		t.Error("the key must change with the source")
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"no title", "# desc: d\na -> b\n", 1, "# title:"},
		{"no desc", "# title: t\na -> b\n", 1, "# desc:"},
		{"syntax", "# title: t\n# desc: d\na -> b\nc: {\n", 4, "maps must be terminated"},
		{"link", "# title: t\n# desc: d\na -> b\nb.link: https://example.com\n", 4, "links, icons"},
		{"block string", "# title: t\n# desc: d\na: |md\n  # hi\n|\n", 3, "block strings"},
		{"too wide", "# title: t\n# desc: d\ndirection: right\na -> b -> c -> d -> e -> f -> g -> h -> i -> j -> k -> l\n", 0, "px wide"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Render(context.Background(), c.src)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Line != c.line || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got line %d %q; want line %d containing %q", e.Line, e.Msg, c.line, c.msg)
			}
		})
	}
}

// BenchmarkRender measures one layout and render with D2's dagre engine: the cost a content
// load pays for each diagram that is not pre-rendered.
func BenchmarkRender(b *testing.B) {
	for b.Loop() {
		if _, err := Render(context.Background(), small); err != nil {
			b.Fatal(err)
		}
	}
}

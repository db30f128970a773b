package catalog_test

import (
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/diagram"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

const lessonDiagram = "```d2\n# title: Two boxes\n# desc: A points at B.\na -> b\n```\n"

func TestLessonDiagramsRenderCacheAndFailWithLine(t *testing.T) {
	withDiagram := testcontent.Lesson("Second lesson", "one", lessonDiagram)
	// Not pre-rendered: rendered at load with D2.
	c, ps := load(t, map[string]string{"content/alpha/02-second.md": withDiagram})
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	st := c.DiagramStats()
	if st.Diagrams != 1 || st.Rendered != 1 || st.Cached != 0 {
		t.Errorf("stats %+v: want one diagram rendered at load", st)
	}
	if !strings.Contains(c.Lesson("alpha/02-second").HTML, `<figure class="diagram"><svg role="img"`) {
		t.Error("the lesson has no diagram figure")
	}
	key := diagram.Key("# title: Two boxes\n# desc: A points at B.\na -> b\n")
	if svg := c.DiagramSVGs()[key+".svg"]; !strings.HasPrefix(svg, "<svg ") {
		t.Errorf("DiagramSVGs lacks %s.svg", key)
	}

	// Pre-rendered: read from content/diagrams, not rendered; an unused file is stale.
	c, ps = load(t, map[string]string{
		"content/alpha/02-second.md":            withDiagram,
		"content/diagrams/" + key + ".svg":      `<svg role="img" class="diagram-svg">cached</svg>`,
		"content/diagrams/0123456789abcdef.svg": `<svg role="img">old</svg>`,
	})
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if st := c.DiagramStats(); st.Cached != 1 || st.Rendered != 0 {
		t.Errorf("stats %+v: want the pre-rendered file used", st)
	}
	if !strings.Contains(c.Lesson("alpha/02-second").HTML, "cached</svg>") {
		t.Error("the pre-rendered SVG was not used")
	}
	if stale := c.StaleDiagramFiles(); len(stale) != 1 || stale[0] != "0123456789abcdef.svg" {
		t.Errorf("stale %v", stale)
	}

	// A broken diagram names the lesson file and the line in it.
	broken := testcontent.Lesson("Second lesson", "one", "```d2\n# title: T\n# desc: D\na -> b\nc: {\n```\n")
	_, ps = load(t, map[string]string{"content/alpha/02-second.md": broken})
	lines := strings.Split(broken, "\n")
	want := 0
	for i, ln := range lines {
		if ln == "c: {" {
			want = i + 1
		}
	}
	if len(ps) != 1 || ps[0].File != "content/alpha/02-second.md" || ps[0].Line != want || !strings.Contains(ps[0].Msg, "maps must be terminated") {
		t.Errorf("want one problem at content/alpha/02-second.md:%d, got %v", want, ps)
	}
}

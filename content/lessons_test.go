package content_test

import (
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// TestLessonPolicy: at least 40 lessons, two per competency (the content check enforces that
// too), and more lessons where the exam weighs more.
func TestLessonPolicy(t *testing.T) {
	c := loadEmbedded(t)
	if n := len(c.Lessons); n < 40 {
		t.Errorf("%d lessons; at least 40 promised", n)
	}
	for i, d := range c.Domains {
		for _, other := range c.Domains[i+1:] {
			if other.Weight < d.Weight && len(other.Lessons) > len(d.Lessons) {
				t.Errorf("%s (%d%%) has more lessons than %s (%d%%)", other.ID, other.Weight, d.ID, d.Weight)
			}
		}
		for _, comp := range d.Competencies {
			if len(comp.Lessons) < 2 {
				t.Errorf("%s has %d lessons", comp.ID, len(comp.Lessons))
			}
		}
	}
}

// TestDiagramsPrerendered: every lesson diagram ships pre-rendered in content/diagrams (so the
// server does not lay them out at every start), nothing there is stale, and the lessons where
// a learner would rather look than read have one.
func TestDiagramsPrerendered(t *testing.T) {
	c := loadEmbedded(t)
	st := c.DiagramStats()
	if st.Rendered > 0 {
		t.Errorf("%d of %d diagrams are not pre-rendered: run `go run ./cmd/server content diagrams .`", st.Rendered, st.Diagrams)
	}
	if stale := c.StaleDiagramFiles(); len(stale) > 0 {
		t.Errorf("content/diagrams holds files no diagram uses: %v (run `go run ./cmd/server content diagrams .`)", stale)
	}
	with := 0
	for _, l := range c.Lessons {
		if strings.Contains(l.HTML, `<figure class="diagram">`) {
			with++
		}
	}
	if with < 15 {
		t.Errorf("%d lessons have a diagram; at least 15 promised", with)
	}
}

// loadEmbedded loads the embedded curriculum, lessons and questions (labs left out).
func loadEmbedded(t *testing.T) *catalog.Catalog {
	t.Helper()
	src := app.EmbeddedSources()
	src.Labs = nil
	c, err := catalog.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

package content_test

import (
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// TestLessonPolicy: at least 40 lessons, two per competency (the content check enforces that
// too), and more lessons where the exam weighs more.
func TestLessonPolicy(t *testing.T) {
	src := app.EmbeddedSources()
	src.Labs = nil
	c, err := catalog.Load(src)
	if err != nil {
		t.Fatal(err)
	}
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

package quizzes_test

import (
	"math"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// TestBankPolicy holds our own bank to what the product promises; an instructor's own content
// (served with --content-dir) is only held to the content check.
func TestBankPolicy(t *testing.T) {
	src := app.EmbeddedSources()
	src.Labs = nil
	c, err := catalog.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Stats()
	if s.Questions < 600 {
		t.Errorf("%d questions; at least 600 promised", s.Questions)
	}
	for _, d := range s.Domains {
		if math.Abs(d.Share-float64(d.Domain.Weight)) > 3 {
			t.Errorf("%s has %.1f%% of the questions; its weight is %d%% (within 3 points promised)", d.Domain.ID, d.Share, d.Domain.Weight)
		}
		for _, cs := range d.Competencies {
			if cs.Questions < 15 {
				t.Errorf("%s has %d questions; at least 15 promised", cs.Competency.ID, cs.Questions)
			}
		}
	}
	if m := 100 * float64(s.ByType[catalog.Multiple]) / float64(s.Questions); m < 20 || m > 30 {
		t.Errorf("%.1f%% multiple-answer questions; 20-30%% promised", m)
	}
	for d := 1; d <= 3; d++ {
		if share := 100 * float64(s.ByDifficulty[d]) / float64(s.Questions); share < 15 {
			t.Errorf("difficulty %d is only %.1f%% of the bank: keep the mix", d, share)
		}
	}
	noLesson := 0
	for _, q := range c.Questions {
		if q.Lesson == nil {
			noLesson++
		}
	}
	if noLesson > s.Questions/20 {
		t.Errorf("%d questions link to no lesson", noLesson)
	}
}

package classroom

import (
	"math"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// TestAnalyseItemsHandComputed checks the statistics against numbers worked out by hand.
//
// Five attempts (A..E) of the same three questions, each mark 0 or 1:
//
//	     q1 q2 q3 | total
//	A     1  1  1 |  3
//	B     1  1  0 |  2
//	C     1  0  1 |  2
//	D     0  1  0 |  1
//	E     0  0  0 |  0
//
// q1: x = 1,1,1,0,0; rest y = T-x = 2,1,1,1,0. x̄ = 0.6, ȳ = 1.0.
//
//	dx = .4,.4,.4,-.6,-.6  Σdx² = 1.2  V(x) = 1.2/4 = 0.3  SD = √0.3 = 0.547723
//	dy = 1,0,0,0,-1        Σdy² = 2    V(y) = 0.5
//	Σdxdy = .4 + .6 = 1.0  C = 0.25
//	D = 100·0.25/√(0.3·0.5) = 25/0.387298 = 64.5497
//	sorted: x 0,0,1,1,1 (dx -.6,-.6,.4,.4,.4), y 0,1,1,1,2 (dy -1,0,0,0,1)
//	Σ = .6 + .4 = 1.0, Cmax = 0.25, DE = 100%
//
// q2: x = 1,1,0,1,0; y = 2,1,2,0,0. x̄ = 0.6, ȳ = 1.0.
//
//	dx = .4,.4,-.6,.4,-.6  V(x) = 0.3;  dy = 1,0,1,-1,-1  Σdy² = 4  V(y) = 1
//	Σdxdy = .4 + 0 - .6 - .4 + .6 = 0  C = 0  D = 0
//	sorted: x 0,0,1,1,1; y 0,0,1,2,2 (dy -1,-1,0,1,1): Σ = .6+.6+0+.4+.4 = 2, Cmax = 0.5
//	DE = 0% < 15%: flagged
//
// q3: x = 1,0,1,0,0; y = 2,2,1,1,0. x̄ = 0.4, ȳ = 1.2.
//
//	dx = .6,-.4,.6,-.4,-.4  Σdx² = 1.2  V(x) = 0.3
//	dy = .8,.8,-.2,-.2,-1.2 Σdy² = .64+.64+.04+.04+1.44 = 2.8  V(y) = 0.7
//	Σdxdy = .48 - .32 - .12 + .08 + .48 = 0.6  C = 0.15
//	D = 100·0.15/√(0.3·0.7) = 15/0.458258 = 32.7327
//	sorted: x 0,0,0,1,1 (dx -.4,-.4,-.4,.6,.6); y 0,1,1,2,2 (dy -1.2,-.2,-.2,.8,.8)
//	Σ = .48+.08+.08+.48+.48 = 1.6, Cmax = 0.4, DE = 0.15/0.4 = 37.5%
//
// Two more attempts, drawn differently, leave A..E untouched: attempt F holds q4 and q5, G
// holds q5. q4 has one attempt, so D and DE are undefined (F = 1); q5 was right both times
// (facility 1, SD 0): no spread, so D and DE are undefined and it is not flagged.
func TestAnalyseItemsHandComputed(t *testing.T) {
	marks := map[int64][]float64{
		1: {1, 1, 1}, 2: {1, 1, 0}, 3: {1, 0, 1}, 4: {0, 1, 0}, 5: {0, 0, 0},
	}
	var scores []domain.ItemScore
	for attempt, ms := range marks {
		for i, m := range ms {
			scores = append(scores, domain.ItemScore{AttemptID: attempt, QuestionID: []string{"q1", "q2", "q3"}[i], Mark: m, MaxMark: 1})
		}
	}
	scores = append(scores,
		domain.ItemScore{AttemptID: 6, QuestionID: "q4", Mark: 1, MaxMark: 1},
		domain.ItemScore{AttemptID: 6, QuestionID: "q5", Mark: 1, MaxMark: 1},
		domain.ItemScore{AttemptID: 7, QuestionID: "q5", Mark: 1, MaxMark: 1})
	got := AnalyseItems(scores)
	want := []struct {
		id            string
		attempts      int
		facility      float64
		sd, disc, eff float64 // NaN: undefined
		flagged       bool
	}{
		{"q1", 5, 0.6, 0.547723, 64.5497, 100, false},
		{"q2", 5, 0.6, 0.547723, 0, 0, true},
		{"q3", 5, 0.4, 0.547723, 32.7327, 37.5, false},
		{"q4", 1, 1, math.NaN(), math.NaN(), math.NaN(), false},
		{"q5", 2, 1, 0, math.NaN(), math.NaN(), false},
	}
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.QuestionID != w.id || g.Attempts != w.attempts || !near(g.Facility, w.facility) || g.Flagged != w.flagged {
			t.Errorf("%s: got %+v, want %+v", w.id, g, w)
		}
		for _, c := range []struct {
			name string
			got  *float64
			want float64
		}{{"sd", g.SD, w.sd}, {"discrimination", g.Discrimination, w.disc}, {"efficiency", g.Efficiency, w.eff}} {
			switch {
			case math.IsNaN(c.want) && c.got != nil:
				t.Errorf("%s %s = %v, want undefined", w.id, c.name, *c.got)
			case !math.IsNaN(c.want) && (c.got == nil || !near(*c.got, c.want)):
				t.Errorf("%s %s = %v, want %v", w.id, c.name, c.got, c.want)
			}
		}
	}
}

// TestAnalyseItemsReversedItem: a question the strong get wrong and the weak get right has a
// negative discrimination and efficiency, and is flagged.
func TestAnalyseItemsReversedItem(t *testing.T) {
	// Attempts 1..4: q-good follows the rest of the test (q-a, q-b); q-bad runs against it.
	rows := [][3]float64{{1, 1, 0}, {1, 1, 0}, {0, 0, 1}, {0, 0, 1}}
	var scores []domain.ItemScore
	for i, r := range rows {
		for j, id := range []string{"q-a", "q-b", "q-bad"} {
			scores = append(scores, domain.ItemScore{AttemptID: int64(i + 1), QuestionID: id, Mark: r[j], MaxMark: 1})
		}
	}
	for _, st := range AnalyseItems(scores) {
		if st.QuestionID != "q-bad" {
			continue
		}
		if st.Discrimination == nil || *st.Discrimination >= 0 || st.Efficiency == nil || *st.Efficiency >= 0 || !st.Flagged {
			t.Errorf("reversed item: %+v", st)
		}
		return
	}
	t.Fatal("q-bad missing")
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

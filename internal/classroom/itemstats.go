package classroom

import (
	"math"
	"slices"
	"sort"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// AnalyseItems computes Moodle's item statistics for every question in scores, by question id.
//
// It follows Moodle's quiz statistics (question/classes/statistics/questions/calculator.php and
// the "Quiz statistics calculations" developer page). For a question, over the s attempts that
// contain it (an unanswered question counts, with mark 0), with x_i its mark in attempt i and
// T_i the attempt's total mark (the sum of all its question marks):
//
//	rest-of-test score  y_i = T_i - x_i
//	facility index      F   = mean(x) / maxmark                        (0..1; shown as %)
//	standard deviation  SD  = sqrt(Σ(x_i-x̄)² / (s-1)) / maxmark
//	covariance          C   = Σ(x_i-x̄)(y_i-ȳ) / (s-1)
//	discrimination      D   = 100 · C / sqrt(V(x) · V(y))              (V: variance with s-1)
//	max covariance      Cmax = Σ(x_(k)-x̄)(y_(k)-ȳ) / (s-1)             (x and y each sorted ascending)
//	disc. efficiency    DE  = 100 · C / Cmax
//
// D is the Pearson correlation of the item's mark with the rest of the test, in percent. Cmax
// is the largest covariance the two sets of marks could have if they were paired in the same
// order, so DE says how much of the discrimination the item's and test's score spreads allow
// it actually achieves. With one attempt, or no spread (everyone right, or everyone wrong), D
// and DE are undefined (nil), as in Moodle. Exams draw questions at random, so attempts hold
// different questions: like Moodle for its questions in random slots, each question is
// analysed over the attempts that contain it; unlike Moodle's random sub-rows, which correlate
// with the whole test score, the documented rest-of-test score is used everywhere, so a
// question's own mark never inflates its discrimination. Every attempt counts as an
// independent one (Moodle's "all attempts").
//
// A question is Flagged as likely faulty when its DE is defined and below
// domain.FaultyEfficiency (15%), the mark under which Moodle's report highlights it.
func AnalyseItems(scores []domain.ItemScore) []domain.ItemStat {
	total := map[int64]float64{}
	for _, sc := range scores {
		total[sc.AttemptID] += sc.Mark
	}
	type item struct {
		x, y    []float64
		maxMark float64
	}
	items := map[string]*item{}
	for _, sc := range scores {
		it := items[sc.QuestionID]
		if it == nil {
			it = &item{}
			items[sc.QuestionID] = it
		}
		it.x = append(it.x, sc.Mark)
		it.y = append(it.y, total[sc.AttemptID]-sc.Mark)
		it.maxMark = max(it.maxMark, sc.MaxMark)
	}
	ids := make([]string, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]domain.ItemStat, 0, len(ids))
	for _, id := range ids {
		it := items[id]
		st := domain.ItemStat{QuestionID: id, Attempts: len(it.x)}
		s := float64(len(it.x))
		mx, my := mean(it.x), mean(it.y)
		if it.maxMark > 0 {
			st.Facility = mx / it.maxMark
		}
		if len(it.x) > 1 {
			var sxx, syy, sxy float64
			for i := range it.x {
				dx, dy := it.x[i]-mx, it.y[i]-my
				sxx += dx * dx
				syy += dy * dy
				sxy += dx * dy
			}
			sx, sy := slices.Clone(it.x), slices.Clone(it.y)
			slices.Sort(sx)
			slices.Sort(sy)
			var smax float64
			for i := range sx {
				smax += (sx[i] - mx) * (sy[i] - my)
			}
			vx, vy, c, cmax := sxx/(s-1), syy/(s-1), sxy/(s-1), smax/(s-1)
			if it.maxMark > 0 {
				st.SD = ptr(math.Sqrt(vx) / it.maxMark)
			}
			if vx*vy > eps {
				st.Discrimination = ptr(100 * c / math.Sqrt(vx*vy))
			}
			if math.Abs(cmax) > eps {
				st.Efficiency = ptr(100 * c / cmax)
				st.Flagged = *st.Efficiency < domain.FaultyEfficiency
			}
		}
		out = append(out, st)
	}
	return out
}

// eps treats round-off as zero: a variance of 1e-17 is no spread at all.
const eps = 1e-12

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func ptr(f float64) *float64 { return &f }

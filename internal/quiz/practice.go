package quiz

import (
	"errors"
	"math/rand/v2"
	"slices"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// Filter narrows practice. Zero values mean "any".
type Filter struct {
	Domain     string
	Competency string
	Difficulty int
	Weakest    bool // choose the competency the learner is weakest in, unless Competency is set
}

// ErrNoQuestions is returned when the filter matches no question.
var ErrNoQuestions = errors.New("no question matches")

// Pool returns the questions a filter allows (ignoring Weakest).
func Pool(cat *catalog.Catalog, f Filter) []*catalog.Question {
	var out []*catalog.Question
	for _, q := range cat.Questions {
		if (f.Domain == "" || q.Domain.ID == f.Domain) &&
			(f.Competency == "" || q.Competency.ID == f.Competency) &&
			(f.Difficulty == 0 || q.Difficulty == f.Difficulty) {
			out = append(out, q)
		}
	}
	return out
}

// NextPractice picks the next practice question: from the weakest competency when asked and
// none is chosen (see WeakestCompetency), otherwise from the filtered pool. It prefers questions never answered,
// then questions last answered wrongly, then those answered longest ago, and never repeats
// the question just shown (skip) unless it is the only one.
func NextPractice(cat *catalog.Catalog, f Filter, hist History, skip string, rng *rand.Rand) (*catalog.Question, error) {
	if f.Weakest && f.Competency == "" {
		// A chosen competency wins: "weakest" then only orders its questions (misses first).
		pool := Pool(cat, Filter{Domain: f.Domain, Difficulty: f.Difficulty})
		if c := WeakestCompetency(pool, hist, rng); c != nil {
			f.Competency = c.ID
		}
	}
	pool := Pool(cat, f)
	if len(pool) == 0 {
		return nil, ErrNoQuestions
	}
	cands := make([]candidate, 0, len(pool))
	for _, q := range pool {
		if q.ID == skip && len(pool) > 1 {
			continue
		}
		cands = append(cands, candidate{q: q, seen: hist[q.ID], tie: rng.Float64()})
	}
	rank := func(c candidate) int {
		switch {
		case c.seen.Count == 0:
			return 0
		case !c.seen.LastOK:
			return 1
		default:
			return 2
		}
	}
	best := slices.MinFunc(cands, func(a, b candidate) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if !a.seen.Last.Equal(b.seen.Last) {
			return a.seen.Last.Compare(b.seen.Last)
		}
		switch {
		case a.tie < b.tie:
			return -1
		case a.tie > b.tie:
			return 1
		}
		return 0
	})
	return best.q, nil
}

// WeakestCompetency chooses a competency to practise by Thompson sampling: for each competency
// in the pool, draw a plausible accuracy from Beta(1 + correct, 1 + wrong) over the learner's
// answers, and pick the lowest draw. Competencies with little evidence get drawn widely, so they
// are explored; ones answered well rarely come up.
func WeakestCompetency(pool []*catalog.Question, hist History, rng *rand.Rand) *catalog.Competency {
	type tally struct{ ok, bad int }
	counts := map[*catalog.Competency]*tally{}
	var order []*catalog.Competency
	for _, q := range pool {
		t := counts[q.Competency]
		if t == nil {
			t = &tally{}
			counts[q.Competency] = t
			order = append(order, q.Competency)
		}
		s := hist[q.ID]
		t.ok += s.Correct
		t.bad += s.Count - s.Correct
	}
	var best *catalog.Competency
	bestDraw := 2.0
	for _, c := range order {
		t := counts[c]
		if d := betaSample(rng, float64(1+t.ok), float64(1+t.bad)); d < bestDraw {
			best, bestDraw = c, d
		}
	}
	return best
}

// Package quiz is the exam trainer's pure logic: drawing a mock exam stratified by the
// curriculum weights, choosing practice questions, scoring, and estimating readiness. It
// reads the catalog and the learner's history given to it; it does no I/O.
package quiz

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// Seen is what the learner has done with one question.
type Seen struct {
	Count   int       // times answered
	Correct int       // times answered correctly
	Last    time.Time // last answer
	LastOK  bool      // whether the last answer was correct
}

// History maps question ids to what the learner has done with them.
type History map[string]Seen

// Quotas splits n questions over the domains in proportion to their weights, by the largest
// remainder method, so the counts always add up to n and each is within one of its share.
func Quotas(domains []*catalog.Domain, n int) []int {
	total := 0
	for _, d := range domains {
		total += d.Weight
	}
	q := make([]int, len(domains))
	if total == 0 || n <= 0 {
		return q
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(domains))
	left := n
	for i, d := range domains {
		exact := float64(n) * float64(d.Weight) / float64(total)
		q[i] = int(math.Floor(exact))
		left -= q[i]
		rems[i] = rem{i, exact - float64(q[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; k < left; k++ {
		q[rems[k%len(rems)].i]++
	}
	return q
}

// preference orders questions for drawing: never seen first, then seen longest ago.
// A random key breaks ties, so two exams differ.
type candidate struct {
	q    *catalog.Question
	seen Seen
	tie  float64
}

func less(a, b candidate) bool {
	if (a.seen.Count == 0) != (b.seen.Count == 0) {
		return a.seen.Count == 0
	}
	if !a.seen.Last.Equal(b.seen.Last) {
		return a.seen.Last.Before(b.seen.Last)
	}
	return a.tie < b.tie
}

// DrawExam picks n questions: per domain by the weights (Quotas), spread round-robin over the
// domain's competencies, preferring questions the learner has not seen, then those seen
// longest ago. If a domain has too few questions the rest come from the others. The result is
// shuffled.
func DrawExam(cat *catalog.Catalog, n int, hist History, rng *rand.Rand) []*catalog.Question {
	quotas := Quotas(cat.Domains, n)
	var picked []*catalog.Question
	used := map[string]bool{}
	for i, d := range cat.Domains {
		picked = append(picked, drawFromDomain(d, quotas[i], hist, rng, used)...)
	}
	// Top up from every domain if some domain ran short.
	for _, d := range cat.Domains {
		if len(picked) >= n {
			break
		}
		picked = append(picked, drawFromDomain(d, n-len(picked), hist, rng, used)...)
	}
	rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	return picked
}

func drawFromDomain(d *catalog.Domain, quota int, hist History, rng *rand.Rand, used map[string]bool) []*catalog.Question {
	if quota <= 0 {
		return nil
	}
	queues := make([][]candidate, 0, len(d.Competencies))
	for _, c := range d.Competencies {
		var qs []candidate
		for _, q := range c.Questions {
			if !used[q.ID] && q.ExamEligible() {
				qs = append(qs, candidate{q: q, seen: hist[q.ID], tie: rng.Float64()})
			}
		}
		slices.SortFunc(qs, func(a, b candidate) int {
			if less(a, b) {
				return -1
			}
			if less(b, a) {
				return 1
			}
			return 0
		})
		queues = append(queues, qs)
	}
	var out []*catalog.Question
	start := 0
	if len(queues) > 0 {
		start = rng.IntN(len(queues))
	}
	for len(out) < quota {
		progressed := false
		for k := range queues {
			i := (start + k) % len(queues)
			if len(queues[i]) == 0 || len(out) >= quota {
				continue
			}
			q := queues[i][0].q
			queues[i] = queues[i][1:]
			used[q.ID] = true
			out = append(out, q)
			progressed = true
		}
		if !progressed {
			break
		}
	}
	return out
}

// ChoiceOrder returns a random display order for a question's choices.
func ChoiceOrder(q *catalog.Question, rng *rand.Rand) []int {
	order := make([]int, len(q.Choices))
	for i := range order {
		order[i] = i
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}

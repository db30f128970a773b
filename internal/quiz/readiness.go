package quiz

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// Outcome is one recent answer: right or wrong, to a question of a domain.
type Outcome struct {
	Question *catalog.Question
	Correct  bool
}

// Readiness estimates the chance to pass the exam now.
//
// Method (also in the README): for each domain, the learner's accuracy is uncertain; given c
// right and w wrong recent answers in it, we take Beta(1 + c, 1 + w) as its distribution (a
// uniform prior updated by the evidence). We then simulate many exams: draw each domain's
// accuracy from its Beta, draw how many of the domain's exam questions (its share of the exam,
// by weight) come out right from a binomial, and score the exam as the real one is scored. The
// chance to pass is the share of simulated exams at or above the pass mark; the range is the
// 10th to 90th percentile of simulated scores. With little evidence the Betas are wide, the
// range is wide, and Confidence says so.
type Readiness struct {
	Answers         int     // recent answers used
	PassProbability float64 // 0..1
	Expected        int     // median simulated score
	Low, High       int     // 10th and 90th percentile of simulated scores
	Confidence      string  // "none", "low", "medium", "high"
	Domains         []DomainReadiness
}

// DomainReadiness is the estimate for one domain.
type DomainReadiness struct {
	ID, Title string
	Weight    int
	Answers   int
	Accuracy  float64 // posterior mean, 0..1
	Low, High float64 // 10th and 90th percentile of the accuracy
	// MeetsMark is the probability that the learner's accuracy in the domain is at or above
	// the exam's pass fraction.
	MeetsMark float64
}

// Estimation settings.
const (
	readinessSimulations = 4000
	// MinAnswersForReadiness is how many recent answers the estimate needs before it is shown.
	MinAnswersForReadiness = 20
)

// Estimate computes readiness from recent outcomes for an exam of n questions, scored on the
// maxScore scale with passScore to pass. rng makes it reproducible.
func Estimate(cat *catalog.Catalog, recent []Outcome, n, maxScore, passScore int, rng *rand.Rand) Readiness {
	r := Readiness{Answers: len(recent)}
	quotas := Quotas(cat.Domains, n)
	type counts struct{ ok, bad int }
	byDomain := map[string]*counts{}
	for _, o := range recent {
		c := byDomain[o.Question.Domain.ID]
		if c == nil {
			c = &counts{}
			byDomain[o.Question.Domain.ID] = c
		}
		if o.Correct {
			c.ok++
		} else {
			c.bad++
		}
	}
	passFrac := float64(passScore) / float64(maxScore)
	alpha := make([]float64, len(cat.Domains))
	beta := make([]float64, len(cat.Domains))
	for i, d := range cat.Domains {
		c := byDomain[d.ID]
		if c == nil {
			c = &counts{}
		}
		alpha[i], beta[i] = float64(1+c.ok), float64(1+c.bad)
		draws := make([]float64, 1000)
		meets := 0
		for k := range draws {
			draws[k] = betaSample(rng, alpha[i], beta[i])
			if draws[k] >= passFrac {
				meets++
			}
		}
		sort.Float64s(draws)
		r.Domains = append(r.Domains, DomainReadiness{
			ID: d.ID, Title: d.Title, Weight: d.Weight, Answers: c.ok + c.bad,
			Accuracy: alpha[i] / (alpha[i] + beta[i]),
			Low:      draws[len(draws)/10], High: draws[len(draws)*9/10],
			MeetsMark: float64(meets) / float64(len(draws)),
		})
	}
	scores := make([]int, readinessSimulations)
	pass := 0
	for s := range scores {
		right := 0
		for i := range cat.Domains {
			p := betaSample(rng, alpha[i], beta[i])
			right += binomial(rng, quotas[i], p)
		}
		score := int(math.Round(float64(maxScore) * float64(right) / float64(n)))
		scores[s] = score
		if score >= passScore {
			pass++
		}
	}
	sort.Ints(scores)
	r.PassProbability = float64(pass) / float64(len(scores))
	r.Expected = scores[len(scores)/2]
	r.Low, r.High = scores[len(scores)/10], scores[len(scores)*9/10]
	r.Confidence = confidence(r)
	return r
}

// confidence grades how much evidence the estimate rests on.
func confidence(r Readiness) string {
	if r.Answers < MinAnswersForReadiness {
		return "none"
	}
	minDomain := math.MaxInt
	for _, d := range r.Domains {
		minDomain = min(minDomain, d.Answers)
	}
	switch {
	case r.Answers >= 200 && minDomain >= 20:
		return "high"
	case r.Answers >= 60 && minDomain >= 5:
		return "medium"
	default:
		return "low"
	}
}

// binomial draws the number of successes in n trials of probability p.
func binomial(rng *rand.Rand, n int, p float64) int {
	k := 0
	for range n {
		if rng.Float64() < p {
			k++
		}
	}
	return k
}

// betaSample draws from Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
func betaSample(rng *rand.Rand, a, b float64) float64 {
	x := gammaSample(rng, a)
	y := gammaSample(rng, b)
	return x / (x + y)
}

// gammaSample draws from Gamma(shape, 1) by Marsaglia and Tsang's method (shape >= 1, which
// is all Beta(1 + c, 1 + w) needs).
func gammaSample(rng *rand.Rand, shape float64) float64 {
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

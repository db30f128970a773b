// Package srs schedules review of missed questions with FSRS, the Free Spaced Repetition
// Scheduler (version 6, long-term mode: no same-day learning steps), written from the
// published algorithm (github.com/open-spaced-repetition, "The Algorithm" wiki and
// ALGORITHM.md) and tested against the reference values of its implementations.
//
// A card has a stability S (days until recall probability falls to 90%) and a difficulty D
// (1..10). After each review the learner's rating updates both, and the next interval is the
// time until the predicted recall probability falls to the requested retention.
package srs

import (
	"fmt"
	"math"
	"time"
)

// Rating is the learner's assessment of their recall.
type Rating int

// Ratings, as FSRS numbers them.
const (
	Again Rating = 1
	Hard  Rating = 2
	Good  Rating = 3
	Easy  Rating = 4
)

func (r Rating) String() string {
	switch r {
	case Again:
		return "again"
	case Hard:
		return "hard"
	case Good:
		return "good"
	case Easy:
		return "easy"
	}
	return fmt.Sprintf("Rating(%d)", int(r))
}

// ParseRating parses "again", "hard", "good", "easy" or "1".."4".
func ParseRating(s string) (Rating, error) {
	for r := Again; r <= Easy; r++ {
		if s == r.String() || s == fmt.Sprint(int(r)) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("rating %q: want again, hard, good or easy", s)
}

// DefaultWeights are FSRS-6's 21 default parameters.
var DefaultWeights = [21]float64{
	0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
	1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
}

// Bounds of the model.
const (
	minStability  = 0.001
	maxStability  = 36500
	minDifficulty = 1
	maxDifficulty = 10
)

// Scheduler computes memory states and intervals. The zero value is not usable: use New.
type Scheduler struct {
	w           [21]float64
	retention   float64 // requested probability of recall at the due date
	maxInterval int     // days
	decay       float64 // -w20
	factor      float64 // 0.9^(1/decay) - 1, so that R(S, S) = 0.9
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithWeights sets the parameters: 21 (FSRS-6) or 19 (FSRS-5, whose curve has a fixed decay of
// 0.5 and no stability exponent in short-term reviews).
func WithWeights(w []float64) Option {
	return func(s *Scheduler) {
		copy(s.w[:], w)
		if len(w) == 19 {
			s.w[19], s.w[20] = 0, 0.5
		}
	}
}

// WithRetention sets the requested retention (default 0.9).
func WithRetention(r float64) Option { return func(s *Scheduler) { s.retention = r } }

// WithMaxInterval caps intervals, in days (default 36500).
func WithMaxInterval(days int) Option { return func(s *Scheduler) { s.maxInterval = days } }

// New returns a scheduler with FSRS-6 defaults unless options say otherwise.
func New(opts ...Option) *Scheduler {
	s := &Scheduler{w: DefaultWeights, retention: 0.9, maxInterval: 36500}
	for _, o := range opts {
		o(s)
	}
	s.decay = -s.w[20]
	s.factor = math.Pow(0.9, 1/s.decay) - 1
	return s
}

// Memory is a card's memory state. A zero Memory (Reps == 0) is a card never reviewed.
type Memory struct {
	Stability  float64
	Difficulty float64
	Reps       int
	Lapses     int
	LastReview time.Time
}

// IsNew reports whether the card was never reviewed.
func (m Memory) IsNew() bool { return m.Reps == 0 }

// Retrievability is the predicted probability of recall after elapsed days.
func (s *Scheduler) Retrievability(elapsedDays, stability float64) float64 {
	if stability <= 0 {
		return 0
	}
	return math.Pow(1+s.factor*elapsedDays/stability, s.decay)
}

// initialStability is S0(G) = w[G-1].
func (s *Scheduler) initialStability(g Rating) float64 { return max(s.w[g-1], minStability) }

// initialDifficulty is D0(G) = w4 - e^(w5·(G-1)) + 1, unclamped (mean reversion uses it so).
func (s *Scheduler) initialDifficulty(g Rating) float64 {
	return s.w[4] - math.Exp(s.w[5]*float64(g-1)) + 1
}

// nextDifficulty applies the rating's change with linear damping towards 10, then reverts
// towards D0(Easy) by w7.
func (s *Scheduler) nextDifficulty(d float64, g Rating) float64 {
	delta := -s.w[6] * float64(g-3)
	damped := d + delta*(10-d)/9
	reverted := s.w[7]*s.initialDifficulty(Easy) + (1-s.w[7])*damped
	return clamp(reverted, minDifficulty, maxDifficulty)
}

// recallStability is the stability after a successful review (Hard, Good, Easy).
func (s *Scheduler) recallStability(d, st, r float64, g Rating) float64 {
	hardPenalty, easyBonus := 1.0, 1.0
	if g == Hard {
		hardPenalty = s.w[15]
	}
	if g == Easy {
		easyBonus = s.w[16]
	}
	inc := math.Exp(s.w[8]) * (11 - d) * math.Pow(st, -s.w[9]) * (math.Exp(s.w[10]*(1-r)) - 1) * hardPenalty * easyBonus
	return clamp(st*(1+inc), minStability, maxStability)
}

// forgetStability is the stability after a lapse (Again), never above the previous stability.
func (s *Scheduler) forgetStability(d, st, r float64) float64 {
	f := s.w[11] * math.Pow(d, -s.w[12]) * (math.Pow(st+1, s.w[13]) - 1) * math.Exp(s.w[14]*(1-r))
	return clamp(min(f, st), minStability, maxStability)
}

// Next returns the memory state after a review rated g at now.
func (s *Scheduler) Next(m Memory, now time.Time, g Rating) (Memory, error) {
	if g < Again || g > Easy {
		return m, fmt.Errorf("srs: invalid rating %d", g)
	}
	next := Memory{Reps: m.Reps + 1, Lapses: m.Lapses, LastReview: now}
	if m.IsNew() {
		next.Stability = s.initialStability(g)
		next.Difficulty = clamp(s.initialDifficulty(g), minDifficulty, maxDifficulty)
		return next, nil
	}
	r := s.Retrievability(elapsedDays(m.LastReview, now), m.Stability)
	if g == Again {
		next.Stability = s.forgetStability(m.Difficulty, m.Stability, r)
		next.Lapses++
	} else {
		next.Stability = s.recallStability(m.Difficulty, m.Stability, r, g)
	}
	next.Difficulty = s.nextDifficulty(m.Difficulty, g)
	return next, nil
}

// interval is the number of whole days until recall probability falls to the retention.
func (s *Scheduler) interval(stability float64) int {
	days := stability / s.factor * (math.Pow(s.retention, 1/s.decay) - 1)
	return int(clamp(math.Round(days), 1, float64(s.maxInterval)))
}

// Outcome is what one rating would do to a card.
type Outcome struct {
	Rating   Rating
	Memory   Memory
	Interval int // days until due
	Due      time.Time
}

// Preview computes the outcome of each rating at now. Intervals are kept in order: again is
// never longer than hard, and hard < good < easy by at least a day each, so the four buttons
// always mean something different.
func (s *Scheduler) Preview(m Memory, now time.Time) ([4]Outcome, error) {
	var out [4]Outcome
	for g := Again; g <= Easy; g++ {
		nm, err := s.Next(m, now, g)
		if err != nil {
			return out, err
		}
		out[g-1] = Outcome{Rating: g, Memory: nm, Interval: s.interval(nm.Stability)}
	}
	out[0].Interval = min(out[0].Interval, out[1].Interval)
	out[1].Interval = max(out[1].Interval, out[0].Interval+1)
	out[2].Interval = max(out[2].Interval, out[1].Interval+1)
	out[3].Interval = max(out[3].Interval, out[2].Interval+1)
	for i := range out {
		out[i].Interval = min(out[i].Interval, s.maxInterval)
		out[i].Due = now.Add(time.Duration(out[i].Interval) * 24 * time.Hour)
	}
	return out, nil
}

// Review applies rating g at now and returns the new state and due time.
func (s *Scheduler) Review(m Memory, now time.Time, g Rating) (Outcome, error) {
	if g < Again || g > Easy {
		return Outcome{}, fmt.Errorf("srs: invalid rating %d", g)
	}
	all, err := s.Preview(m, now)
	if err != nil {
		return Outcome{}, err
	}
	return all[g-1], nil
}

// elapsedDays counts whole days between two reviews, as FSRS does.
func elapsedDays(from, to time.Time) float64 {
	if from.IsZero() || to.Before(from) {
		return 0
	}
	return math.Floor(to.Sub(from).Hours() / 24)
}

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

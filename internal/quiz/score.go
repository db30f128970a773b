package quiz

import (
	"math"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// Response is the learner's answer to one exam question.
type Response struct {
	Question *catalog.Question
	Picked   []int // choice indices in the question file's order; nil when unanswered
	Answered bool
}

// Correct reports whether the response is exactly the set of right choices.
func (r Response) Correct() bool { return r.Answered && r.Question.IsCorrect(r.Picked) }

// Tally counts right answers out of a total.
type Tally struct {
	Correct, Total int
}

// Percent is Correct/Total as a whole percentage.
func (t Tally) Percent() int {
	if t.Total == 0 {
		return 0
	}
	return int(math.Round(100 * float64(t.Correct) / float64(t.Total)))
}

// AreaScore is the result in one domain or competency.
type AreaScore struct {
	ID, Title    string
	Weight       int // domains only
	Tally        Tally
	Competencies []AreaScore // domains only, in curriculum order, those present in the exam
}

// Result is a scored exam.
type Result struct {
	Tally
	Score, MaxScore, PassScore int
	Passed                     bool
	Domains                    []AreaScore
}

// Score scores responses on the 0..maxScore scale: every question weighs the same and a
// multiple-answer question counts only when exactly right (no partial credit). The pass
// mark is inclusive.
func Score(cat *catalog.Catalog, rs []Response, maxScore, passScore int) Result {
	res := Result{MaxScore: maxScore, PassScore: passScore}
	byDomain := map[string]*Tally{}
	byComp := map[string]*Tally{}
	var others []*catalog.Domain // domains outside the curriculum (a class's own questions), in order met
	for _, r := range rs {
		d, c := r.Question.Domain.ID, r.Question.Competency.ID
		if byDomain[d] == nil {
			byDomain[d] = &Tally{}
			if cat.Domain(d) == nil {
				others = append(others, r.Question.Domain)
			}
		}
		if byComp[c] == nil {
			byComp[c] = &Tally{}
		}
		res.Total++
		byDomain[d].Total++
		byComp[c].Total++
		if r.Correct() {
			res.Correct++
			byDomain[d].Correct++
			byComp[c].Correct++
		}
	}
	if res.Total > 0 {
		res.Score = int(math.Round(float64(maxScore) * float64(res.Correct) / float64(res.Total)))
	}
	res.Passed = res.Total > 0 && res.Score >= passScore
	for _, d := range cat.Domains {
		t := byDomain[d.ID]
		if t == nil {
			continue
		}
		a := AreaScore{ID: d.ID, Title: d.Title, Weight: d.Weight, Tally: *t}
		for _, c := range d.Competencies {
			if ct := byComp[c.ID]; ct != nil {
				a.Competencies = append(a.Competencies, AreaScore{ID: c.ID, Title: c.Title, Tally: *ct})
			}
		}
		res.Domains = append(res.Domains, a)
	}
	for _, d := range others {
		res.Domains = append(res.Domains, AreaScore{ID: d.ID, Title: d.Title, Tally: *byDomain[d.ID]})
	}
	return res
}

package quiz

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

func bigCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	return bigCatalogWith(t, testcontent.Questions("alpha", "one", "al-one", 1, 40, ""))
}

// bigCatalogWith is bigCatalog with alpha's 40 questions given as a file.
func bigCatalogWith(t *testing.T, alpha string) *catalog.Catalog {
	t.Helper()
	src, err := catalog.DirSources(testcontent.Write(t, map[string]string{
		"quizzes/alpha/one.yaml": alpha,
		"quizzes/beta/two.yaml":  testcontent.Questions("beta", "two", "be-two", 101, 30, ""),
	}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestQuotasAddUpAndFollowWeights(t *testing.T) {
	ds := []*catalog.Domain{{Weight: 44}, {Weight: 28}, {Weight: 16}, {Weight: 12}}
	if got := Quotas(ds, 60); got[0] != 26 || got[1] != 17 || got[2] != 10 || got[3] != 7 {
		t.Errorf("Quotas(60) = %v, want [26 17 10 7]", got)
	}
	for n := 1; n <= 120; n++ {
		q := Quotas(ds, n)
		sum := 0
		for i, v := range q {
			sum += v
			if exact := float64(n) * float64(ds[i].Weight) / 100; math.Abs(float64(v)-exact) >= 1 {
				t.Errorf("n=%d domain %d: %d questions, exact share %.2f", n, i, v, exact)
			}
		}
		if sum != n {
			t.Errorf("n=%d: quotas sum to %d", n, sum)
		}
	}
}

func TestDrawExamStratifiesAndPrefersUnseen(t *testing.T) {
	c := bigCatalog(t)
	rng := rand.New(rand.NewPCG(1, 2))
	hist := History{}
	// The learner has seen the first 20 alpha questions.
	for i := 0; i < 20; i++ {
		hist[c.Domains[0].Questions[i].ID] = Seen{Count: 1, Last: time.Now()}
	}
	qs := DrawExam(c, 20, hist, rng)
	if len(qs) != 20 {
		t.Fatalf("drew %d", len(qs))
	}
	perDomain := map[string]int{}
	seen := map[string]bool{}
	for _, q := range qs {
		if seen[q.ID] {
			t.Errorf("question %s drawn twice", q.ID)
		}
		seen[q.ID] = true
		perDomain[q.Domain.ID]++
		if _, ok := hist[q.ID]; ok {
			t.Errorf("drew seen question %s although unseen ones remain", q.ID)
		}
	}
	if perDomain["alpha"] != 12 || perDomain["beta"] != 8 {
		t.Errorf("per domain = %v, want alpha 12 (60%%), beta 8 (40%%)", perDomain)
	}
	// Asking for more than unseen questions exist: seen ones fill in, oldest first.
	old := c.Domains[0].Questions[0].ID
	hist[old] = Seen{Count: 1, Last: time.Now().Add(-48 * time.Hour)}
	qs = DrawExam(c, 42, hist, rng)
	found := false
	for _, q := range qs {
		found = found || q.ID == old
	}
	if !found {
		t.Errorf("the question seen longest ago was not drawn first among seen ones")
	}
	// More than the bank holds: everything, once.
	if qs := DrawExam(c, 500, History{}, rng); len(qs) != 70 {
		t.Errorf("drew %d of 70", len(qs))
	}
}

func TestScore(t *testing.T) {
	c := bigCatalog(t)
	q1, q2 := c.Question("al-one-001"), c.Question("be-two-101")
	multi := &catalog.Question{ID: "m", Domain: q1.Domain, Competency: q1.Competency,
		Choices: []catalog.Choice{{Correct: true}, {Correct: true}, {}}}
	rs := []Response{
		{Question: q1, Picked: []int{0}, Answered: true},    // right
		{Question: q2, Picked: []int{1}, Answered: true},    // wrong
		{Question: multi, Picked: []int{0}, Answered: true}, // partly right: wrong
		{Question: multi, Picked: []int{1, 0}, Answered: true},
		{Question: q2}, // unanswered
	}
	r := Score(c, rs, 1000, 400)
	if r.Correct != 2 || r.Total != 5 || r.Score != 400 || !r.Passed {
		t.Errorf("result = %+v, want 2/5 = 400, passed at 400 (inclusive)", r.Tally)
	}
	if len(r.Domains) != 2 || r.Domains[0].Tally != (Tally{2, 3}) || r.Domains[1].Tally != (Tally{0, 2}) {
		t.Errorf("domains = %+v", r.Domains)
	}
	if r.Domains[0].Competencies[0].Tally != (Tally{2, 3}) {
		t.Errorf("competency breakdown = %+v", r.Domains[0].Competencies)
	}
	if r := Score(c, rs, 1000, 401); r.Passed {
		t.Error("400 passed a 401 mark")
	}
	if r := Score(c, nil, 1000, 0); r.Passed || r.Score != 0 {
		t.Error("an empty exam passed")
	}
}

func TestNextPractice(t *testing.T) {
	c := bigCatalog(t)
	rng := rand.New(rand.NewPCG(3, 4))
	hist := History{}
	for _, q := range c.Domains[1].Questions {
		hist[q.ID] = Seen{Count: 1, Correct: 1, LastOK: true, Last: time.Now()}
	}
	missed := c.Domains[1].Questions[5]
	hist[missed.ID] = Seen{Count: 2, Correct: 1, LastOK: false, Last: time.Now()}
	q, err := NextPractice(c, Filter{Domain: "beta"}, hist, "", rng)
	if err != nil || q != missed {
		t.Fatalf("got %v, want the question last answered wrongly (%s)", q, missed.ID)
	}
	q, _ = NextPractice(c, Filter{Domain: "beta"}, hist, missed.ID, rng)
	if q == missed {
		t.Error("repeated the question just shown")
	}
	q, _ = NextPractice(c, Filter{}, hist, "", rng)
	if q.Domain.ID != "alpha" {
		t.Errorf("unseen alpha questions exist, got %s", q.ID)
	}
	if q, _ := NextPractice(c, Filter{Difficulty: 2, Competency: "one"}, History{}, "", rng); q.Difficulty != 2 || q.Competency.ID != "one" {
		t.Errorf("filter ignored: %s", q.ID)
	}
	if _, err := NextPractice(c, Filter{Competency: "nope"}, hist, "", rng); err != ErrNoQuestions {
		t.Errorf("err = %v", err)
	}
}

func TestWeakestCompetencyFindsTheWeakArea(t *testing.T) {
	c := bigCatalog(t)
	hist := History{}
	for _, q := range c.Domains[0].Questions[:20] {
		hist[q.ID] = Seen{Count: 1, Correct: 0}
	}
	for _, q := range c.Domains[1].Questions[:20] {
		hist[q.ID] = Seen{Count: 1, Correct: 1}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	n := 0
	for range 1000 {
		if WeakestCompetency(c.Questions, hist, rng).ID == "one" {
			n++
		}
	}
	if n < 990 {
		t.Errorf("weak competency chosen %d/1000 times", n)
	}
	// With no evidence both get explored.
	n = 0
	for range 1000 {
		if WeakestCompetency(c.Questions, History{}, rng).ID == "one" {
			n++
		}
	}
	if n < 400 || n > 600 {
		t.Errorf("with no evidence, competency one chosen %d/1000 times; want about half", n)
	}
}

func TestEstimateReadiness(t *testing.T) {
	c := bigCatalog(t)
	outcomes := func(accA, accB float64, n int) []Outcome {
		var out []Outcome
		for i := range n {
			out = append(out, Outcome{Question: c.Domains[0].Questions[i%40], Correct: float64(i%100) < accA*100})
			out = append(out, Outcome{Question: c.Domains[1].Questions[i%30], Correct: float64(i%100) < accB*100})
		}
		return out
	}
	rng := rand.New(rand.NewPCG(7, 8))
	strong := Estimate(c, outcomes(0.95, 0.95, 100), 60, 1000, 750, rng)
	if strong.PassProbability < 0.99 || strong.Confidence != "high" || strong.Low < 800 {
		t.Errorf("strong learner: %+v", strong)
	}
	weak := Estimate(c, outcomes(0.5, 0.5, 100), 60, 1000, 750, rng)
	if weak.PassProbability > 0.01 {
		t.Errorf("weak learner: P(pass) = %v", weak.PassProbability)
	}
	border := Estimate(c, outcomes(0.75, 0.75, 100), 60, 1000, 750, rng)
	if border.PassProbability < 0.3 || border.PassProbability > 0.8 {
		t.Errorf("learner at the mark: P(pass) = %v", border.PassProbability)
	}
	few := Estimate(c, outcomes(1, 1, 5), 60, 1000, 750, rng)
	if few.Confidence != "none" || few.High-few.Low < 100 {
		t.Errorf("few answers: confidence %q, range %d-%d", few.Confidence, few.Low, few.High)
	}
	// One weak domain drags the estimate and shows in the per-domain figures.
	mixed := Estimate(c, outcomes(0.95, 0.3, 100), 60, 1000, 750, rng)
	if mixed.Domains[1].MeetsMark > 0.01 || mixed.Domains[0].MeetsMark < 0.99 || mixed.PassProbability > 0.5 {
		t.Errorf("mixed: %+v", mixed)
	}
}

func TestBetaSampleMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, ab := range [][2]float64{{1, 1}, {3, 7}, {40, 2}} {
		sum := 0.0
		for range 20000 {
			sum += betaSample(rng, ab[0], ab[1])
		}
		if mean, want := sum/20000, ab[0]/(ab[0]+ab[1]); math.Abs(mean-want) > 0.01 {
			t.Errorf("Beta(%v,%v) mean %.3f, want %.3f", ab[0], ab[1], mean, want)
		}
	}
}

// Questions tagged beyond-kcna stay in practice but never reach a mock exam, even when the
// exam asks for more questions than the bank holds.
func TestDrawExamSkipsBeyondKCNA(t *testing.T) {
	qs := testcontent.Questions("alpha", "one", "al-one", 1, 40, "")
	for _, id := range []string{"al-one-003", "al-one-017"} {
		qs = strings.Replace(qs, "  - id: "+id+"\n    type: single\n", "  - id: "+id+"\n    type: single\n    tags: [beyond-kcna]\n", 1)
	}
	c := bigCatalogWith(t, qs)
	if c.Question("al-one-003").ExamEligible() {
		t.Fatal("the tag did not load")
	}
	drawn := DrawExam(c, 500, History{}, rand.New(rand.NewPCG(1, 2)))
	if len(drawn) != 68 {
		t.Errorf("drew %d; want all 70 but the 2 tagged", len(drawn))
	}
	for _, q := range drawn {
		if !q.ExamEligible() {
			t.Errorf("drew %s, tagged %v", q.ID, q.Tags)
		}
	}
	// Practice still offers them.
	if got := c.Question("al-one-017"); got == nil || got.Domain == nil {
		t.Error("tagged question missing from the catalog")
	}
}

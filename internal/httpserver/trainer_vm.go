package httpserver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// questionVM shows q with its choices in the given display order, marking picked ones.
func questionVM(q *catalog.Question, order, picked []int) pages.QuestionVM {
	vm := pages.QuestionVM{
		ID: q.ID, Multiple: q.Type == catalog.Multiple, Pick: q.NumCorrect(), Difficulty: q.Difficulty,
		DomainTitle: q.Domain.Title, CompetencyTitle: q.Competency.Title, StemHTML: q.StemHTML(),
		BeyondKCNA: q.HasTag(catalog.TagBeyondKCNA),
	}
	for i, idx := range displayOrder(q, order) {
		vm.Options = append(vm.Options, pages.OptionVM{Value: idx, Number: i + 1, HTML: q.ChoiceHTML(idx), Checked: slices.Contains(picked, idx)})
	}
	return vm
}

// feedbackVM explains q after the learner picked some choices.
func feedbackVM(q *catalog.Question, order, picked []int) pages.FeedbackVM {
	f := pages.FeedbackVM{Correct: q.IsCorrect(picked), ExplanationHTML: q.ExplanationHTML()}
	for i, idx := range displayOrder(q, order) {
		f.Options = append(f.Options, pages.FeedbackOption{Number: i + 1, HTML: q.ChoiceHTML(idx), WhyHTML: q.WhyHTML(idx),
			Correct: q.Choices[idx].Correct, Picked: slices.Contains(picked, idx)})
	}
	for _, r := range q.References {
		f.References = append(f.References, pages.RefLink{Label: r.Label(), URL: r.URL})
	}
	if q.Lesson != nil {
		f.Lesson = &pages.LessonLink{Title: q.Lesson.Title, URL: q.Lesson.URL()}
	}
	return f
}

// displayOrder returns order if it is a permutation of q's choices, else the file order.
func displayOrder(q *catalog.Question, order []int) []int {
	if len(order) == len(q.Choices) {
		seen := make([]bool, len(order))
		ok := true
		for _, i := range order {
			if i < 0 || i >= len(order) || seen[i] {
				ok = false
				break
			}
			seen[i] = true
		}
		if ok {
			return order
		}
	}
	out := make([]int, len(q.Choices))
	for i := range out {
		out[i] = i
	}
	return out
}

// practiceOrder shuffles a question's choices the same way every time for a learner, so a
// reload does not reorder them but the right answer's place is not learnt from the file.
func practiceOrder(userID int64, q *catalog.Question) []int {
	h := fnv.New64a()
	fmt.Fprint(h, userID, q.ID)
	return quiz.ChoiceOrder(q, mrand.New(mrand.NewPCG(h.Sum64(), 7)))
}

// pickedFromForm reads the chosen choice indices ("choice" values).
func pickedFromForm(r *http.Request) ([]int, error) {
	if err := r.ParseForm(); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	var out []int
	for _, v := range r.PostForm["choice"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "Choice %q is not a number.", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// newToken returns a random one-time form token.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// formatDuration is how every page writes a duration: "1 h 05 min", "12 min", "7 min 30 s",
// "40 s" or, under ten seconds, "3.4 s". Negative durations are 0.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	case d >= 10*time.Minute:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d >= time.Minute && int(d.Seconds())%60 == 0:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d >= time.Minute:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	case d >= 10*time.Second:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

// clock is the exam timer's reading, m:ss, as the page's script counts it down: a clock face
// rather than a duration in words.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

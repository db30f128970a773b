package e2e

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
)

// TestBrowserMockExam takes a whole mock exam in the browser: answers by mouse and by
// keyboard, flags a question, skips one, reloads mid-way and finds every answer kept, submits,
// and checks the result page against the answers it gave.
func TestBrowserMockExam(t *testing.T) {
	ctx := NewBrowser(t)
	a := StartApp(t, "") // the embedded bank: a real 60-question, 90-minute mock exam
	cat := a.Catalog
	n := cat.Curriculum.Exam.Questions.Value

	Do(t, ctx, chromedp.Navigate(a.URL+"/"), chromedp.Click(chromedp.CSS(`[data-testid="start-exam"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="question"]`)))

	type given struct {
		picked  []int // choice indices in file order
		correct bool
	}
	answers := map[string]given{} // by question id
	var skipped, flagged string
	domainTally := map[string][2]int{} // domain id -> correct, total

	for pos := 1; pos <= n; pos++ {
		qid := Attr(t, ctx, `[data-testid="question"]`, "data-question-id")
		if got := Attr(t, ctx, `[data-testid="question"]`, "data-position"); got != strconv.Itoa(pos) {
			t.Fatalf("at question %d the page shows position %s", pos, got)
		}
		q := cat.Question(qid)
		if q == nil {
			t.Fatalf("page shows unknown question %q", qid)
		}
		hint := Text(t, ctx, `[data-testid="pick-hint"]`)
		if want := fmt.Sprintf("Choose %d.", q.NumCorrect()); q.Type == catalog.Multiple && !strings.Contains(hint, want) {
			t.Errorf("%s: hint %q, want %q", qid, hint, want)
		}
		dt := domainTally[q.Domain.ID]
		dt[1]++
		switch {
		case pos == 3: // leave unanswered
			skipped = qid
		default:
			choose := q.Correct()
			if pos%4 == 0 { // answer wrongly: the first wrong choice
				for i, c := range q.Choices {
					if !c.Correct {
						choose = []int{i}
						break
					}
				}
			}
			useKeyboard := pos%2 == 0
			for _, v := range choose {
				if useKeyboard {
					key := displayNumber(t, ctx, v)
					Do(t, ctx, chromedp.KeyEvent(key))
				} else {
					Do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="option"][data-value="%d"]`, v))))
				}
			}
			ok := q.IsCorrect(choose)
			answers[qid] = given{picked: choose, correct: ok}
			if ok {
				dt[0]++
			}
		}
		domainTally[q.Domain.ID] = dt
		if pos == 5 {
			flagged = qid
			Do(t, ctx, chromedp.KeyEvent("f"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="flag"][data-flagged="true"]`)))
		}
		if pos == n/2 {
			// Reload mid-way, once the page says the answer is saved (no save in flight): the
			// choice just made and all earlier ones are kept.
			Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-exam][data-pending="0"]`)),
				chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="question"]`)))
			checked := checkedValues(t, ctx)
			if want := answers[qid].picked; !sameSet(checked, want) {
				t.Fatalf("after reload question %d shows %v checked, want %v", pos, checked, want)
			}
			cells := Eval[[]string](t, ctx, `[...document.querySelectorAll('#exam-navigator .nav-cell')].map(c => c.dataset.answered + (c.dataset.flagged === "true" ? "F" : ""))`)
			for i := 0; i < pos; i++ {
				want := "true"
				if i == 2 {
					want = "false"
				}
				if i == 4 {
					want += "F"
				}
				if cells[i] != want {
					t.Errorf("after reload navigator cell %d = %s, want %s", i+1, cells[i], want)
				}
			}
		}
		if pos < n {
			if pos%3 == 0 {
				Do(t, ctx, chromedp.KeyEvent("n"))
			} else {
				Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="next"]`)))
			}
			sctx, cancel := step(ctx)
			err := chromedp.Do(sctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="question"][data-position="%d"]`, pos+1))))
			cancel()
			if err != nil {
				state := Eval[string](t, ctx, `location.href + " pending=" + document.querySelector("[data-exam]").dataset.pending + " active=" + (document.activeElement && document.activeElement.outerHTML.slice(0,120))`)
				t.Fatalf("after question %d (keyboard=%v) the next question did not appear: %v; page: %s", pos, pos%3 == 0, err, state)
			}
		}
	}
	// Go back once with the keyboard to check "previous" works and keeps the answer.
	Do(t, ctx, chromedp.KeyEvent("p"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="question"][data-position="%d"]`, n-1))))
	prevID := Attr(t, ctx, `[data-testid="question"]`, "data-question-id")
	if got := checkedValues(t, ctx); !sameSet(got, answers[prevID].picked) {
		t.Errorf("previous question shows %v, want %v", got, answers[prevID].picked)
	}
	// One question is unanswered: the first submit asks for confirmation, the second submits.
	Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-submit-form][data-confirmed]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="score"]`)))

	correct := 0
	for _, g := range answers {
		if g.correct {
			correct++
		}
	}
	wantScore := int(math.Round(1000 * float64(correct) / float64(n)))
	if got := Text(t, ctx, `[data-testid="score"]`); got != strconv.Itoa(wantScore) {
		t.Errorf("score %s, want %d (%d of %d right)", got, wantScore, correct, n)
	}
	rows := Eval[[][3]string](t, ctx, `[...document.querySelectorAll('[data-testid="domain-score"]')].map(r => [r.dataset.domain, r.dataset.correct, r.dataset.total])`)
	if len(rows) != len(domainTally) {
		t.Errorf("%d domain rows, want %d", len(rows), len(domainTally))
	}
	for _, r := range rows {
		want := domainTally[r[0]]
		if r[1] != strconv.Itoa(want[0]) || r[2] != strconv.Itoa(want[1]) {
			t.Errorf("domain %s: %s/%s, want %d/%d", r[0], r[1], r[2], want[0], want[1])
		}
	}
	items := Eval[[][2]string](t, ctx, `[...document.querySelectorAll('[data-testid="result-item"]')].map(r => [r.dataset.questionId, r.dataset.correct])`)
	if len(items) != n {
		t.Fatalf("%d result items, want %d", len(items), n)
	}
	for _, it := range items {
		want := answers[it[0]].correct
		if it[0] == skipped {
			want = false
		}
		if it[1] != strconv.FormatBool(want) {
			t.Errorf("result for %s: correct=%s, want %v", it[0], it[1], want)
		}
	}
	if flagged == "" || Text(t, ctx, fmt.Sprintf(`[data-testid="result-item"][data-question-id="%s"] summary`, flagged)) == "" {
		t.Error("flagged question missing from the review")
	}
}

// displayNumber returns the key (1-9) that picks the choice with file index v on screen.
func displayNumber(t *testing.T, ctx context.Context, v int) string {
	t.Helper()
	vals := Eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="question"] [data-testid="option"]')].map(o => o.dataset.value)`)
	i := slices.Index(vals, strconv.Itoa(v))
	if i < 0 {
		t.Fatalf("no option with value %d in %v", v, vals)
	}
	return strconv.Itoa(i + 1)
}

func checkedValues(t *testing.T, ctx context.Context) []int {
	t.Helper()
	vals := Eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="question"] input[name="choice"]:checked')].map(i => i.value)`)
	var out []int
	for _, v := range vals {
		n, _ := strconv.Atoi(v)
		out = append(out, n)
	}
	return out
}

func sameSet(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

package catalog

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Option form: a question must not give its answer away by the shape of its options. The
// cheapest tell is length (right options that carry their own justification, wrong ones that
// are bare names), so the content check measures what a test-wise guesser who knows nothing
// would score by always picking the longest option (the N longest when asked for N).
const (
	// MaxLongestBank is the highest share of the bank the longest-option strategy may answer
	// right, and the highest share of single-answer questions whose right option may be the
	// strictly longest.
	MaxLongestBank = 0.35
	// MaxLongestPart is the bar for one domain or one file, which are smaller samples.
	MaxLongestPart = 0.40
	// minFormSample is the fewest questions a file or domain needs before its share is judged:
	// below it, chance alone swings the share past any bar.
	minFormSample = 10
	// A right option "much longer than every wrong one": at least this many times the longest
	// wrong option and this many characters more.
	muchLongerRatio = 1.5
	muchLongerChars = 20
)

// optionLen is how long an option reads: its characters, not its bytes.
func optionLen(text string) int { return utf8.RuneCountInString(strings.TrimSpace(text)) }

// LongestGuessWins reports whether a guesser who picks the N longest options (N = how many
// the question asks for; ties go to the earlier option) would be right.
func (q *Question) LongestGuessWins() bool {
	order := make([]int, len(q.Choices))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return optionLen(q.Choices[b].Text) - optionLen(q.Choices[a].Text)
	})
	n := q.NumCorrect()
	if n == 0 || n > len(order) {
		return false
	}
	return q.IsCorrect(order[:n])
}

// RightStrictlyLongest reports whether a single-answer question's right option is longer than
// every wrong one.
func (q *Question) RightStrictlyLongest() bool {
	right := q.Correct()
	if len(right) != 1 {
		return false
	}
	rl := optionLen(q.Choices[right[0]].Text)
	for i, c := range q.Choices {
		if i != right[0] && optionLen(c.Text) >= rl {
			return false
		}
	}
	return true
}

// rightMuchLonger reports whether every right option is much longer than every wrong one, the
// giveaway the content check refuses question by question.
func (q *Question) rightMuchLonger() (right, wrong int, yes bool) {
	minRight, maxWrong := -1, 0
	for _, c := range q.Choices {
		l := optionLen(c.Text)
		if c.Correct {
			if minRight < 0 || l < minRight {
				minRight = l
			}
		} else if l > maxWrong {
			maxWrong = l
		}
	}
	if minRight < 0 || maxWrong == 0 {
		return minRight, maxWrong, false
	}
	return minRight, maxWrong, float64(minRight) >= muchLongerRatio*float64(maxWrong) && minRight-maxWrong >= muchLongerChars
}

// absoluteRe matches the absolute words a guesser learns to avoid ("never", "always", ...).
var absoluteRe = regexp.MustCompile(`(?i)\b(always|never|only|all|every|must|cannot|none)\b`)

// FormStats is what the option form of a set of questions gives away.
type FormStats struct {
	Questions    int // questions
	LongestWins  int // answered right by the longest-option strategy
	Single       int // single-answer questions
	RightLongest int // single-answer questions whose right option is strictly the longest
	// Absolute words: options containing one, among right and among wrong options.
	RightOptions, RightAbsolute, WrongOptions, WrongAbsolute int
}

func (s *FormStats) add(q *Question) {
	s.Questions++
	if q.LongestGuessWins() {
		s.LongestWins++
	}
	if q.Type == Single {
		s.Single++
		if q.RightStrictlyLongest() {
			s.RightLongest++
		}
	}
	for _, c := range q.Choices {
		abs := absoluteRe.MatchString(c.Text)
		if c.Correct {
			s.RightOptions++
			if abs {
				s.RightAbsolute++
			}
		} else {
			s.WrongOptions++
			if abs {
				s.WrongAbsolute++
			}
		}
	}
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// LongestScore is the share of questions the longest-option strategy answers right.
func (s FormStats) LongestScore() float64 { return ratio(s.LongestWins, s.Questions) }

// RightLongestShare is the share of single-answer questions whose right option is longest.
func (s FormStats) RightLongestShare() float64 { return ratio(s.RightLongest, s.Single) }

// FormReport is the option-form statistics of the bank, per domain and per file.
type FormReport struct {
	Bank     FormStats
	Domains  []DomainForm
	Files    map[string]*FormStats
	fileList []string
}

// DomainForm is one domain's option-form statistics.
type DomainForm struct {
	Domain *Domain
	FormStats
}

// OptionForm computes the option-form statistics of the loaded questions.
func (c *Catalog) OptionForm() FormReport {
	r := FormReport{Files: map[string]*FormStats{}}
	byDomain := map[*Domain]*FormStats{}
	for _, q := range c.Questions {
		r.Bank.add(q)
		fs := r.Files[q.File]
		if fs == nil {
			fs = &FormStats{}
			r.Files[q.File] = fs
			r.fileList = append(r.fileList, q.File)
		}
		fs.add(q)
		if q.Domain != nil {
			ds := byDomain[q.Domain]
			if ds == nil {
				ds = &FormStats{}
				byDomain[q.Domain] = ds
			}
			ds.add(q)
		}
	}
	for _, d := range c.Domains {
		if ds := byDomain[d]; ds != nil {
			r.Domains = append(r.Domains, DomainForm{Domain: d, FormStats: *ds})
		}
	}
	slices.Sort(r.fileList)
	return r
}

// checkOptionForm refuses questions whose right option is much longer than every wrong one,
// and a bank, domain or file whose longest-option statistics drift past the bars above.
func (c *Catalog) checkOptionForm(ps *problems) {
	for _, q := range c.Questions {
		if right, wrong, yes := q.rightMuchLonger(); yes {
			what := fmt.Sprintf("the right option (%d characters) is", right)
			if q.NumCorrect() > 1 {
				what = fmt.Sprintf("every right option (%d characters or more) is", right)
			}
			ps.add(q.File, q.Line, "%s: %s much longer than every wrong one (at most %d): a guesser picks it without knowing; move the justification to its why and make the wrong options as specific",
				q.ID, what, wrong)
		}
	}
	r := c.OptionForm()
	judge := func(file, what string, s FormStats, bar float64) {
		if s.Questions >= minFormSample && s.LongestScore() > bar {
			ps.add(file, 0, "%s: always picking the longest option scores %.0f%% (%d of %d); keep it at most %.0f%%",
				what, 100*s.LongestScore(), s.LongestWins, s.Questions, 100*bar)
		}
		if s.Single >= minFormSample && s.RightLongestShare() > bar {
			ps.add(file, 0, "%s: the right option is the strictly longest in %.0f%% of single-answer questions (%d of %d); keep it at most %.0f%%",
				what, 100*s.RightLongestShare(), s.RightLongest, s.Single, 100*bar)
		}
	}
	judge("quizzes", "the bank", r.Bank, MaxLongestBank)
	for _, d := range r.Domains {
		judge("quizzes/"+d.Domain.ID, "domain "+d.Domain.ID, d.FormStats, MaxLongestPart)
	}
	for _, f := range r.fileList {
		judge(f, "this file", *r.Files[f], MaxLongestPart)
	}
}

// Write prints what a test-wise guesser would score, per domain and for the bank.
func (r FormReport) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "option form\tquestions\tlongest-option score\tright strictly longest (single)\tabsolute words right / wrong\t\n")
	row := func(name string, s FormStats) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\t%.1f%% of %d\t%.1f%% / %.1f%%\t\n", name, s.Questions,
			100*s.LongestScore(), 100*s.RightLongestShare(), s.Single,
			100*ratio(s.RightAbsolute, s.RightOptions), 100*ratio(s.WrongAbsolute, s.WrongOptions))
	}
	for _, d := range r.Domains {
		row(d.Domain.ID, d.FormStats)
	}
	row("bank", r.Bank)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "bars: longest-option score and right-strictly-longest share at most %.0f%% for the bank, %.0f%% for a domain or file\n",
		100*MaxLongestBank, 100*MaxLongestPart)
	return err
}

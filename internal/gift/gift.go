// Package gift reads and writes Moodle's GIFT question format
// (https://docs.moodle.org/en/GIFT_format), the format instructors already keep question banks
// in. kcnaprep has single- and multiple-answer multiple-choice questions; true/false questions
// are parsed with their two answers, and missing-word questions with their choices; every other
// GIFT type (short answer, matching, numerical, essay, description) is parsed far enough to be
// reported with its line, never silently dropped.
//
// Single or several answers follows Moodle's GIFT import: a question with an "=" answer is
// single-answer, and only its full-mark (100%) answers are right; a "~%50%" answer beside it
// is partial credit, kept in Answer.Weight but not right. A question of "~" answers only is
// multiple-answer: its answers with a positive weight are right, unless one answer alone is
// worth 100%, which makes it single-answer with partial credit again.
package gift

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Kind is a GIFT question type.
type Kind string

// Kinds. Only SingleChoice and MultipleChoice are supported by kcnaprep.
const (
	SingleChoice   Kind = "multiple choice (one answer)"
	MultipleChoice Kind = "multiple choice (several answers)"
	TrueFalse      Kind = "true/false"
	ShortAnswer    Kind = "short answer"
	Matching       Kind = "matching"
	Numerical      Kind = "numerical"
	MissingWord    Kind = "missing word"
	Essay          Kind = "essay"
	Description    Kind = "description"
)

// Answer is one answer of a question.
type Answer struct {
	Text     string
	Format   string  // the answer's own [format], when it differs from the question's; usually ""
	Correct  bool    // right (see the package comment for partial credit)
	Weight   float64 // percent; 100 for "=", 0 for "~" without a weight
	Feedback string
}

// Question is one parsed GIFT question.
type Question struct {
	Line            int    // line of its first line
	Category        string // the $CATEGORY in effect, "" if none
	Title           string
	Format          string // markdown, html, plain, moodle, or ""
	Text            string
	TextAfter       string // a missing-word question's text after its answers
	Kind            Kind
	Answers         []Answer // for TrueFalse: "True" then "False"
	GeneralFeedback string
	Meta            string   // the "// kcnaprep {...}" comment before the question, if any
	IDNumber        string   // Moodle's id number, from a "// [id:...]" comment before the question
	Tags            []string // Moodle's tags, from "// [tag:...]" comments before the question
}

// Problem is something in a GIFT file that could not be imported.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// MetaPrefix starts the comment carrying kcnaprep fields GIFT has no place for.
const MetaPrefix = "// kcnaprep "

// Parse reads a GIFT file. Questions of every kind are returned (with Kind set); malformed
// ones are reported as problems.
func Parse(r io.Reader) ([]Question, []Problem) {
	var qs []Question
	var ps []Problem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var block []string
	blockLine, line := 0, 0
	category, meta, idNumber := "", "", ""
	var tags []string
	flush := func() {
		if len(block) == 0 {
			return
		}
		q, err := parseBlock(strings.Join(block, "\n"))
		q.Line, q.Category, q.Meta, q.IDNumber, q.Tags = blockLine, category, meta, idNumber, tags
		if err != "" {
			ps = append(ps, Problem{blockLine, describe(q) + err})
		} else {
			qs = append(qs, q)
		}
		block, meta, idNumber, tags = nil, "", "", nil
	}
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		trimmed := strings.TrimSpace(text)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, MetaPrefix) && len(block) == 0:
			meta = strings.TrimPrefix(trimmed, MetaPrefix)
		case strings.HasPrefix(trimmed, "//"):
			// A comment; before a question it may carry Moodle's id number and tags.
			if len(block) == 0 {
				for _, m := range idTagRe.FindAllStringSubmatch(trimmed, -1) {
					if v := strings.TrimSpace(unescape(m[2])); m[1] == "id" && v != "" {
						idNumber = v
					} else if v != "" {
						tags = append(tags, v)
					}
				}
			}
		case strings.HasPrefix(trimmed, "$CATEGORY:") && len(block) == 0:
			category = strings.TrimSpace(strings.TrimPrefix(trimmed, "$CATEGORY:"))
		default:
			if len(block) == 0 {
				blockLine = line
			}
			block = append(block, text)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		ps = append(ps, Problem{line, "read: " + err.Error()})
	}
	return qs, ps
}

func describe(q Question) string {
	if q.Title != "" {
		return fmt.Sprintf("question %q: ", q.Title)
	}
	return "question: "
}

var (
	formatRe = regexp.MustCompile(`^\[(markdown|html|plain|moodle)\]`)
	idTagRe  = regexp.MustCompile(`\[(id|tag):((?:[^\]\\]|\\.)*)\]`)
)

// parseBlock parses one question's text. It returns a non-empty message when malformed.
func parseBlock(s string) (Question, string) {
	var q Question
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "::") {
		end := indexUnescaped(s[2:], "::")
		if end < 0 {
			return q, "title has no closing ::"
		}
		q.Title = unescape(strings.TrimSpace(s[2 : 2+end]))
		s = strings.TrimSpace(s[2+end+2:])
	}
	if m := formatRe.FindStringSubmatch(s); m != nil {
		q.Format = m[1]
		s = s[len(m[0]):]
	}
	open := indexUnescaped(s, "{")
	if open < 0 {
		q.Kind = Description
		q.Text = unescape(strings.TrimSpace(s))
		return q, ""
	}
	closeAt := indexUnescaped(s[open:], "}")
	if closeAt < 0 {
		return q, "answers have no closing }"
	}
	closeAt += open
	q.Text = unescape(strings.TrimSpace(s[:open]))
	body := strings.TrimSpace(s[open+1 : closeAt])
	if rest := strings.TrimSpace(s[closeAt+1:]); rest != "" {
		// Missing word: text { answers } text. Its multiple-choice answers are kept.
		q.Kind = MissingWord
		q.TextAfter = unescape(rest)
		if answers, msg := splitAnswers(body); msg == "" {
			q.Answers = answers
			classify(&q, body)
		}
		return q, ""
	}
	if gf := indexUnescaped(body, "####"); gf >= 0 {
		q.GeneralFeedback = unescape(strings.TrimSpace(formatRe.ReplaceAllString(strings.TrimSpace(body[gf+4:]), "")))
		body = strings.TrimSpace(body[:gf])
	}
	switch upper := strings.ToUpper(strings.TrimSpace(strings.SplitN(body, "#", 2)[0])); {
	case body == "":
		q.Kind = Essay
		return q, ""
	case upper == "T" || upper == "F" || upper == "TRUE" || upper == "FALSE":
		// {T#feedback when wrong#feedback when right}
		q.Kind = TrueFalse
		isTrue := upper == "T" || upper == "TRUE"
		var wrongFB, rightFB string
		if h := indexUnescaped(body, "#"); h >= 0 {
			fb := body[h+1:]
			wrongFB = fb
			if h2 := indexUnescaped(fb, "#"); h2 >= 0 {
				wrongFB, rightFB = fb[:h2], fb[h2+1:]
			}
		}
		wrongFB, rightFB = unescape(strings.TrimSpace(wrongFB)), unescape(strings.TrimSpace(rightFB))
		t := Answer{Text: "True", Correct: isTrue, Feedback: wrongFB}
		f := Answer{Text: "False", Correct: !isTrue, Feedback: wrongFB}
		if isTrue {
			t.Weight, t.Feedback = 100, rightFB
		} else {
			f.Weight, f.Feedback = 100, rightFB
		}
		q.Answers = []Answer{t, f}
		return q, ""
	case strings.HasPrefix(body, "#"):
		q.Kind = Numerical
		return q, ""
	case indexUnescaped(body, "->") >= 0:
		q.Kind = Matching
		return q, ""
	}
	answers, msg := splitAnswers(body)
	if msg != "" {
		return q, msg
	}
	q.Answers = answers
	return q, classify(&q, body)
}

// classify sets the kind of a question of = and ~ answers, and which answers are right, as
// Moodle's GIFT import decides (see the package comment). It returns a message when no answer
// is right.
func classify(q *Question, body string) string {
	equals, tilde := 0, 0
	for _, tok := range answerMarks(body) {
		if tok == '~' {
			tilde++
		} else {
			equals++
		}
	}
	full := 0
	for _, a := range q.Answers {
		if a.Weight >= 100 {
			full++
		}
	}
	positive := 0
	for i := range q.Answers {
		a := &q.Answers[i]
		if equals > 0 || full > 0 {
			a.Correct = a.Weight >= 100 // single-answer: partial credit is not right
		} else {
			a.Correct = a.Weight > 0
		}
		if a.Correct {
			positive++
		}
	}
	if q.Kind == MissingWord {
		if tilde == 0 {
			q.Answers = nil // a short-answer gap: nothing to choose from
		}
		return ""
	}
	switch {
	case tilde == 0:
		q.Kind = ShortAnswer
	case positive == 0:
		return "no answer is marked right (use = or a positive %weight%)"
	case positive == 1 || equals > 0:
		q.Kind = SingleChoice
	default:
		q.Kind = MultipleChoice
	}
	return ""
}

// answerMarks lists the unescaped = and ~ that start answers.
func answerMarks(body string) []byte {
	var out []byte
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '=', '~':
			out = append(out, body[i])
		}
	}
	return out
}

var weightRe = regexp.MustCompile(`^%(-?[0-9]+(?:\.[0-9]+)?)%`)

func splitAnswers(body string) ([]Answer, string) {
	var out []Answer
	var cur *strings.Builder
	var mark byte
	emit := func() string {
		if cur == nil {
			return ""
		}
		raw := strings.TrimSpace(cur.String())
		a := Answer{Correct: mark == '='}
		if mark == '=' {
			a.Weight = 100
		}
		if m := weightRe.FindStringSubmatch(raw); m != nil {
			w, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return "bad weight " + m[0]
			}
			a.Weight, a.Correct = w, w > 0
			raw = strings.TrimSpace(raw[len(m[0]):])
		}
		if h := indexUnescaped(raw, "#"); h >= 0 {
			a.Feedback = unescape(strings.TrimSpace(formatRe.ReplaceAllString(strings.TrimSpace(raw[h+1:]), "")))
			raw = strings.TrimSpace(raw[:h])
		}
		if m := formatRe.FindStringSubmatch(raw); m != nil {
			a.Format = m[1]
			raw = strings.TrimSpace(raw[len(m[0]):])
		}
		a.Text = unescape(raw)
		out = append(out, a)
		return ""
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			if cur != nil {
				cur.WriteByte(c)
				cur.WriteByte(body[i+1])
			}
			i++
		case c == '=' || c == '~':
			if msg := emit(); msg != "" {
				return nil, msg
			}
			cur, mark = &strings.Builder{}, c
		default:
			if cur == nil {
				if c == ' ' || c == '\t' || c == '\n' {
					continue
				}
				return nil, fmt.Sprintf("text %q before the first answer mark (= or ~)", body[i:min(len(body), i+20)])
			}
			cur.WriteByte(c)
		}
	}
	if msg := emit(); msg != "" {
		return nil, msg
	}
	return out, ""
}

// indexUnescaped finds sub in s, skipping backslash-escaped characters.
func indexUnescaped(s, sub string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sub) {
			return i
		}
	}
	return -1
}

// unescape undoes GIFT escapes: \~ \= \# \{ \} \: \\ and \n (a newline).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

package gift

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Escape makes text safe inside GIFT: backslash first, then the special characters, then
// newlines as \n (a blank line would end the question).
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '~', '=', '#', '{', '}', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Write writes questions in GIFT. Category lines are written when the category changes.
func Write(w io.Writer, qs []Question) error {
	bw := bufio.NewWriter(w)
	cat := ""
	for _, q := range qs {
		if q.Category != "" && q.Category != cat {
			cat = q.Category
			fmt.Fprintf(bw, "$CATEGORY: %s\n\n", cat)
		}
		if q.Meta != "" {
			fmt.Fprintf(bw, "%s%s\n", MetaPrefix, q.Meta)
		}
		if q.IDNumber != "" || len(q.Tags) > 0 {
			bw.WriteString("//")
			if q.IDNumber != "" {
				fmt.Fprintf(bw, " [id:%s]", escapeBracket(q.IDNumber))
			}
			for _, t := range q.Tags {
				fmt.Fprintf(bw, " [tag:%s]", escapeBracket(t))
			}
			bw.WriteByte('\n')
		}
		fmt.Fprintf(bw, "::%s::", Escape(q.Title))
		if q.Format != "" {
			fmt.Fprintf(bw, "[%s]", q.Format)
		}
		fmt.Fprintf(bw, "%s {", Escape(q.Text))
		if q.Kind == TrueFalse && len(q.Answers) == 2 {
			right, wrong := q.Answers[0], q.Answers[1]
			if !right.Correct {
				right, wrong = wrong, right
			}
			fmt.Fprintf(bw, "%s", strings.ToUpper(right.Text))
			if wrong.Feedback != "" || right.Feedback != "" {
				fmt.Fprintf(bw, "#%s#%s", Escape(wrong.Feedback), Escape(right.Feedback))
			}
			if q.GeneralFeedback != "" {
				fmt.Fprintf(bw, "####%s", Escape(q.GeneralFeedback))
			}
			bw.WriteString("}\n\n")
			continue
		}
		bw.WriteString("\n")
		for _, a := range q.Answers {
			switch {
			case q.Kind == SingleChoice && a.Correct:
				bw.WriteString("\t=")
			case q.Kind == SingleChoice && a.Weight != 0:
				fmt.Fprintf(bw, "\t~%%%s%%", strconv.FormatFloat(a.Weight, 'f', -1, 64))
			case q.Kind == SingleChoice:
				bw.WriteString("\t~")
			default:
				fmt.Fprintf(bw, "\t~%%%s%%", strconv.FormatFloat(a.Weight, 'f', -1, 64))
			}
			bw.WriteString(Escape(a.Text))
			if a.Feedback != "" {
				bw.WriteString("#" + Escape(a.Feedback))
			}
			bw.WriteByte('\n')
		}
		if q.GeneralFeedback != "" {
			fmt.Fprintf(bw, "\t####%s\n", Escape(q.GeneralFeedback))
		}
		bw.WriteString("}\n\n")
	}
	return bw.Flush()
}

// escapeBracket escapes what would end an [id:...] or [tag:...] early.
func escapeBracket(s string) string {
	return strings.NewReplacer(`\`, `\\`, "]", `\]`, "\n", " ").Replace(s)
}

// CorrectWeight is the weight of each right answer of a multiple-answer question with n right
// answers, rounded as Moodle lists weights (five decimals).
func CorrectWeight(n int) float64 {
	w, _ := strconv.ParseFloat(strconv.FormatFloat(100/float64(n), 'f', 5, 64), 64)
	return w
}

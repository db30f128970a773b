package pages

import (
	"context"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// navTitle describes a navigator cell for screen readers and tooltips.
func navTitle(it NavItem) string {
	s := "Question " + strconv.Itoa(it.Position)
	switch {
	case it.Answered && it.Flagged:
		s += ": answered, flagged"
	case it.Answered:
		s += ": answered"
	case it.Flagged:
		s += ": flagged, not answered"
	default:
		s += ": not answered"
	}
	return s
}

// navCells writes the navigator's cells, one link per question:
//
//	<a href="URL" class="nav-cell answered flagged current" data-exam-nav data-answered="true"
//	   data-flagged="false" aria-current="step" title="Question 3: answered">3</a>
//
// Written by hand rather than in templ: the navigator's 60 cells are on every exam page and in
// every saved answer's reply, and templ's class processing (templ.KV) and per-attribute
// escaping of them were a tenth of the server's time under a class's load. Every value is
// escaped as templ would.
func navCells(items []NavItem) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		b.Grow(len(items) * 160)
		for _, it := range items {
			b.WriteString(`<a href="`)
			b.WriteString(html.EscapeString(string(templ.URL(it.URL))))
			b.WriteString(`" class="nav-cell`)
			if it.Answered {
				b.WriteString(" answered")
			}
			if it.Flagged {
				b.WriteString(" flagged")
			}
			if it.Current {
				b.WriteString(" current")
			}
			b.WriteString(`" data-exam-nav data-answered="`)
			b.WriteString(strconv.FormatBool(it.Answered))
			b.WriteString(`" data-flagged="`)
			b.WriteString(strconv.FormatBool(it.Flagged))
			b.WriteString(`"`)
			if it.Current {
				b.WriteString(` aria-current="step"`)
			}
			b.WriteString(` title="`)
			b.WriteString(html.EscapeString(navTitle(it)))
			b.WriteString(`">`)
			b.WriteString(strconv.Itoa(it.Position))
			b.WriteString(`</a>`)
		}
		_, err := io.WriteString(w, b.String())
		return err
	})
}

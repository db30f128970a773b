// Package diagram turns a lesson's diagram source (D2, https://d2lang.com) into inline SVG
// that follows the page's light and dark themes and passes a strict Content Security Policy:
// D2's own <style> blocks, embedded fonts and style attributes are removed, and its theme
// classes (fill-N1, stroke-B1, ...) are coloured by the app's stylesheet instead.
//
// Laying out a diagram takes D2's dagre engine a few hundred milliseconds, so rendered SVGs
// are cached by the hash of their source (Key): content ships them pre-rendered and a load
// renders only what changed.
package diagram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"oss.terrastruct.com/d2/d2graph"
	"oss.terrastruct.com/d2/d2layouts/d2dagrelayout"
	"oss.terrastruct.com/d2/d2lib"
	"oss.terrastruct.com/d2/d2renderers/d2svg"
	"oss.terrastruct.com/d2/d2themes/d2themescatalog"
	d2log "oss.terrastruct.com/d2/lib/log"
	"oss.terrastruct.com/d2/lib/textmeasure"
	"oss.terrastruct.com/util-go/go2"
)

// MaxWidth is the widest a diagram may be laid out, in CSS pixels: a lesson column is about
// 730 px, and a wider diagram shrinks until its labels are unreadable.
const MaxWidth = 1000

// Version changes whenever the SVG this package writes for the same source changes, so that
// cached renders of an older version are not used.
const Version = "d2-v0.7.2-kcna1"

// Diagram is a rendered diagram.
type Diagram struct {
	Title string // short accessible name, from the source's "# title:" line
	Desc  string // what the diagram shows, for screen readers, from "# desc:"
	SVG   string // inline <svg> element, safe to embed
}

// Error is a problem in a diagram's source, at a 1-based line of that source (0: the whole).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("diagram line %d: %s", e.Line, e.Msg)
	}
	return "diagram: " + e.Msg
}

// Key is the cache key of a source: the hash of the renderer version and the source.
func Key(src string) string {
	h := sha256.Sum256([]byte(Version + "\x00" + src))
	return hex.EncodeToString(h[:8])
}

var (
	metaRe = regexp.MustCompile(`^#\s*(title|desc):\s*(.*?)\s*$`)
	// Features that would put links, remote images or unescaped markup into the page.
	forbiddenRe = regexp.MustCompile(`(?m)(\b(link|icon|tooltip)\s*:|\|)`)
	d2ErrRe     = regexp.MustCompile(`(?m)^(\d+):(\d+): (.*)$`)
)

// Meta reads the title and description lines a diagram source must start with.
func Meta(src string) (title, desc string, err error) {
	for _, ln := range strings.Split(src, "\n") {
		m := metaRe.FindStringSubmatch(strings.TrimSpace(ln))
		if m == nil {
			continue
		}
		switch m[1] {
		case "title":
			title = m[2]
		case "desc":
			desc = m[2]
		}
	}
	switch {
	case title == "":
		return "", "", &Error{1, `start the diagram with "# title: <short name>" (screen readers announce it)`}
	case desc == "":
		return "", "", &Error{1, `add "# desc: <what the diagram shows>" (read to learners who cannot see it)`}
	}
	return title, desc, nil
}

var (
	rulerOnce sync.Once
	ruler     *textmeasure.Ruler
	rulerErr  error
	// renderMu serialises D2: its JavaScript layout engine is not cheap to run in parallel on
	// a small machine, and the ruler is shared.
	renderMu sync.Mutex
)

// Render lays out and renders a D2 source. It takes a few hundred milliseconds.
func Render(ctx context.Context, src string) (Diagram, error) {
	title, desc, err := Meta(src)
	if err != nil {
		return Diagram{}, err
	}
	if loc := forbiddenRe.FindStringIndex(src); loc != nil {
		line := strings.Count(src[:loc[0]], "\n") + 1
		return Diagram{}, &Error{line, "links, icons, tooltips and block strings (|...|) are not allowed in lesson diagrams"}
	}
	rulerOnce.Do(func() { ruler, rulerErr = textmeasure.NewRuler() })
	if rulerErr != nil {
		return Diagram{}, fmt.Errorf("diagram text ruler: %w", rulerErr)
	}
	renderMu.Lock()
	defer renderMu.Unlock()
	layout := func(string) (d2graph.LayoutGraph, error) { return d2dagrelayout.DefaultLayout, nil }
	opts := &d2svg.RenderOpts{Pad: go2.Pointer(int64(8)), ThemeID: &d2themescatalog.NeutralDefault.ID}
	// D2 logs through its own logger; keep it quiet unless something is wrong.
	ctx = d2log.With(ctx, slog.New(slog.DiscardHandler))
	d, _, err := d2lib.Compile(ctx, src, &d2lib.CompileOptions{LayoutResolver: layout, Ruler: ruler}, opts)
	if err != nil {
		return Diagram{}, d2Error(err)
	}
	raw, err := d2svg.Render(d, opts)
	if err != nil {
		return Diagram{}, fmt.Errorf("render diagram: %w", err)
	}
	svg, width, err := clean(raw, title, desc, Key(src))
	if err != nil {
		return Diagram{}, err
	}
	if width > MaxWidth {
		return Diagram{}, &Error{0, fmt.Sprintf("laid out %.0f px wide; at most %d keeps its labels readable in a lesson column: lay it out downwards (direction: down), or put fewer boxes side by side", width, MaxWidth)}
	}
	return Diagram{Title: title, Desc: desc, SVG: svg}, nil
}

// d2Error turns D2's "line:col: message" errors into an Error at the first such line.
func d2Error(err error) error {
	msg := err.Error()
	all := d2ErrRe.FindAllStringSubmatch(msg, -1)
	if len(all) == 0 {
		return &Error{0, msg}
	}
	line, _ := strconv.Atoi(all[0][1])
	parts := make([]string, 0, len(all))
	for _, a := range all {
		parts = append(parts, a[1]+":"+a[2]+": "+a[3])
	}
	return &Error{line, strings.Join(parts, "; ")}
}

var (
	xmlDeclRe   = regexp.MustCompile(`^<\?xml[^>]*\?>`)
	styleElemRe = regexp.MustCompile(`(?s)<style[^>]*>.*?</style>`)
	styleAttrRe = regexp.MustCompile(`\sstyle="([^"]*)"`)
	// Presentation attributes D2 writes as inline style; SVG accepts them as attributes, which
	// a Content Security Policy without 'unsafe-inline' styles does not block.
	presentation = map[string]bool{"stroke-width": true, "text-anchor": true, "font-size": true,
		"stroke-dasharray": true, "opacity": true, "fill-opacity": true, "stroke-opacity": true, "font-weight": true}
	viewBoxRe = regexp.MustCompile(`^<svg [^>]*viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"`)
	unsafeRe  = regexp.MustCompile(`(?i)<script|<foreignobject|\shref=|\sxlink:href=|\son[a-z]+=`)
)

// clean makes D2's SVG embeddable and reports the width it was laid out at: no XML declaration, no <style>, no style attributes, an
// accessible name and description, and the classes the stylesheet colours.
func clean(raw []byte, title, desc, key string) (svg string, width float64, err error) {
	s := xmlDeclRe.ReplaceAllString(string(bytes.TrimSpace(raw)), "")
	s = styleElemRe.ReplaceAllString(s, "")
	var bad error
	s = styleAttrRe.ReplaceAllStringFunc(s, func(m string) string {
		decl := styleAttrRe.FindStringSubmatch(m)[1]
		var b strings.Builder
		for _, d := range strings.Split(decl, ";") {
			k, v, ok := strings.Cut(d, ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" {
				continue
			}
			if !presentation[k] {
				bad = fmt.Errorf("diagram: unexpected style %q in D2's output", k)
				continue
			}
			fmt.Fprintf(&b, ` %s="%s"`, k, html.EscapeString(v))
		}
		return b.String()
	})
	if bad != nil {
		return "", 0, bad
	}
	if unsafeRe.MatchString(s) {
		return "", 0, errors.New("diagram: D2's output has links, scripts or foreign objects")
	}
	if !strings.HasPrefix(s, "<svg ") {
		return "", 0, errors.New("diagram: D2's output is not an <svg> element")
	}
	id := "dg-" + key
	// Width and height from the view box: the diagram's natural size, which the stylesheet
	// lets shrink to the column (max-width) but not grow past.
	size := ""
	if m := viewBoxRe.FindStringSubmatch(s); m != nil {
		size = fmt.Sprintf(`width="%s" height="%s" `, m[1], m[2])
		width, _ = strconv.ParseFloat(m[1], 64)
	}
	head := fmt.Sprintf(`<svg role="img" aria-labelledby="%[1]s-t %[1]s-d" class="diagram-svg" %[2]s`, id, size)
	s = head + strings.TrimPrefix(s, "<svg ")
	// The accessible name and description go first inside the outer <svg>.
	gt := strings.Index(s, ">")
	s = s[:gt+1] + fmt.Sprintf(`<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`,
		id, html.EscapeString(title), id, html.EscapeString(desc)) + s[gt+1:]
	return s, width, nil
}

// DiagramLine is the line of the source the error concerns (0: the whole source).
func (e *Error) DiagramLine() int { return e.Line }

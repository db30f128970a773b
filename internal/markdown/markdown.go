// Package markdown renders kcnaprep's Markdown (lessons, question stems and explanations)
// to safe HTML with goldmark: GitHub-flavoured Markdown, heading anchors and a table of
// contents, code highlighted by chroma with CSS classes, GitHub-style callouts
// ("> [!TRAP]") and internal links ("lesson:ID", "question:ID", "lab:ID", "domain:ID").
//
// Raw HTML in the source is never rendered: goldmark's default (non-unsafe) renderer replaces it
// with a comment and drops dangerous link destinations such as javascript: URLs.
package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Heading is one entry of a document's table of contents.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// Document is a rendered Markdown document.
type Document struct {
	HTML  string    // safe HTML
	TOC   []Heading // level 2 and 3 headings, in order
	Words int       // words of prose, fenced and indented code excluded
	Text  string    // plain text, code included, for full-text search
}

// Resolver maps an internal link ("lesson", "kubernetes-fundamentals/04-pods") to a URL.
// It returns false when the target does not exist; the link is then rendered inert.
type Resolver func(kind, id string) (href string, ok bool)

// LinkKinds are the URL schemes of internal links.
var LinkKinds = []string{"lesson", "question", "lab", "domain"}

// Renderer renders Markdown. It is safe for concurrent use.
type Renderer struct {
	md       goldmark.Markdown
	diagrams DiagramFunc
}

// New returns a Renderer with kcnaprep's extensions.
func New(opts ...Option) *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			highlighting.NewHighlighting(
				highlighting.WithGuessLanguage(false),
				highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
			),
		),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(diagramRendererOption()),
	)
	r := &Renderer{md: md}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Render renders a whole document. resolve may be nil when the source has no internal links.
func (r *Renderer) Render(src []byte, resolve Resolver) (Document, error) {
	doc := r.md.Parser().Parse(text.NewReader(src))
	var out Document
	var words strings.Builder
	var plain bytes.Buffer
	var diagrams []*ast.FencedCodeBlock
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				plain.WriteByte(' ') // blocks end a run of text; inline text joins as written
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id, _ := n.AttributeString("id")
			idStr := string(toBytes(id))
			if n.Level == 2 || n.Level == 3 {
				out.TOC = append(out.TOC, Heading{Level: n.Level, ID: idStr, Text: nodeText(n, src)})
			}
			if idStr != "" {
				addAnchor(n, idStr)
			}
		case *ast.Blockquote:
			callout(n, src)
		case *ast.Link:
			if class, _ := n.AttributeString("class"); string(toBytes(class)) == "anchor" {
				// The heading's "#" permalink is markup, not text: keep it out of search
				// snippets.
				return ast.WalkSkipChildren, nil
			}
			rewriteLink(n, resolve)
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if fc, ok := n.(*ast.FencedCodeBlock); ok && r.diagrams != nil && string(fc.Language(src)) == DiagramLang {
				diagrams = append(diagrams, fc)
				return ast.WalkSkipChildren, nil
			}
			code := blockText(n, src)
			plain.WriteString(code)
			plain.WriteByte('\n')
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			seg := n.Segment.Value(src)
			words.Write(seg)
			words.WriteByte(' ')
			plain.Write(seg)
			if n.SoftLineBreak() || n.HardLineBreak() {
				plain.WriteByte(' ')
			}
		case *ast.String:
			plain.Write(n.Value)
			if n.Parent() != nil && n.Parent().Type() == ast.TypeBlock && n.NextSibling() == nil {
				plain.WriteByte(' ')
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return Document{}, fmt.Errorf("walk markdown: %w", err)
	}
	if err := r.renderDiagrams(src, diagrams, &plain); err != nil {
		return Document{}, err
	}
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, src, doc); err != nil {
		return Document{}, fmt.Errorf("render markdown: %w", err)
	}
	out.HTML = buf.String()
	out.Words = CountWords(words.String())
	out.Text = strings.Join(strings.Fields(plain.String()), " ")
	return out, nil
}

// RenderInline renders a short fragment (a choice, a reason). A single paragraph is unwrapped
// so the result can sit inside a label or a list item.
func (r *Renderer) RenderInline(src string) string {
	d, err := r.Render([]byte(src), nil)
	if err != nil {
		return ""
	}
	h := strings.TrimSpace(d.HTML)
	if strings.HasPrefix(h, "<p>") && strings.HasSuffix(h, "</p>") && strings.Count(h, "<p>") == 1 {
		h = strings.TrimSuffix(strings.TrimPrefix(h, "<p>"), "</p>")
	}
	return h
}

// CountWords counts words the way a reader would: runs of letters or digits, with inner
// apostrophes and hyphens kept inside a word.
func CountWords(s string) int {
	n := 0
	in := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !in {
				n++
				in = true
			}
			continue
		}
		if in && (r == '\'' || r == '-' || r == '’') {
			continue
		}
		in = false
	}
	return n
}

// internalLink matches an internal link destination, e.g. "lesson:kubernetes-fundamentals/04-pods".
var internalLink = regexp.MustCompile(`^(lesson|question|lab|domain):([A-Za-z0-9][A-Za-z0-9/_.-]*)$`)

// ParseInternalLink splits an internal link destination into kind and id.
func ParseInternalLink(dest string) (kind, id string, ok bool) {
	m := internalLink.FindStringSubmatch(dest)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func rewriteLink(n *ast.Link, resolve Resolver) {
	kind, id, ok := ParseInternalLink(string(n.Destination))
	if !ok {
		return
	}
	if resolve != nil {
		if href, ok := resolve(kind, id); ok {
			n.Destination = []byte(href)
			n.SetAttributeString("class", []byte("internal-link internal-"+kind))
			return
		}
	}
	n.Destination = []byte("#")
	n.SetAttributeString("class", []byte("broken-link"))
}

func addAnchor(h *ast.Heading, id string) {
	a := ast.NewLink()
	a.Destination = []byte("#" + id)
	a.SetAttributeString("class", []byte("anchor"))
	a.SetAttributeString("title", []byte("Link to this section"))
	a.AppendChild(a, ast.NewString([]byte("#")))
	h.AppendChild(h, a)
}

// calloutKinds maps a GitHub-style alert marker to its title.
var calloutKinds = map[string]string{
	"NOTE":    "Note",
	"TIP":     "Tip",
	"WARNING": "Warning",
	"TRAP":    "Exam trap",
}

var calloutMarker = regexp.MustCompile(`^\s*\[!([A-Z]+)\]\s*$`)

// CalloutKind reports the callout kind of a blockquote's first source line ("[!TRAP]").
func CalloutKind(line string) (string, bool) {
	m := calloutMarker.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	_, ok := calloutKinds[m[1]]
	return m[1], ok
}

// callout turns "> [!TRAP]\n> text" into a blockquote with class "callout callout-trap" whose
// first child is a title paragraph.
func callout(bq *ast.Blockquote, src []byte) {
	p, ok := bq.FirstChild().(*ast.Paragraph)
	if !ok || p.Lines().Len() == 0 {
		return
	}
	first := p.Lines().At(0)
	kind, ok := CalloutKind(string(first.Value(src)))
	if !ok {
		return
	}
	for c := p.FirstChild(); c != nil; {
		next := c.NextSibling()
		t, isText := c.(*ast.Text)
		if !isText || t.Segment.Start >= first.Stop {
			break
		}
		p.RemoveChild(p, c)
		c = next
	}
	if p.ChildCount() == 0 {
		bq.RemoveChild(bq, p)
	}
	title := ast.NewParagraph()
	title.SetAttributeString("class", []byte("callout-title"))
	title.AppendChild(title, ast.NewString([]byte(calloutKinds[kind])))
	bq.InsertBefore(bq, bq.FirstChild(), title)
	bq.SetAttributeString("class", []byte("callout callout-"+strings.ToLower(kind)))
}

func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

func blockText(n ast.Node, src []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

func toBytes(v any) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	default:
		return nil
	}
}

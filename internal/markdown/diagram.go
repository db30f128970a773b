package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"html"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// DiagramLang is the fence language of a diagram: ```d2 ... ``` in a lesson becomes a figure.
const DiagramLang = "d2"

// Diagram is a rendered diagram, as a DiagramFunc returns it.
type Diagram struct {
	Title, Desc string
	SVG         string // a safe inline <svg> element
}

// DiagramFunc renders a diagram's source. Its errors may carry the line of the source they
// concern (an error with a `DiagramLine() int` method).
type DiagramFunc func(src string) (Diagram, error)

// DiagramError is a diagram problem located at a line of the Markdown source.
type DiagramError struct {
	Line int // 1-based line in the Markdown source
	Err  error
}

func (e *DiagramError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *DiagramError) Unwrap() error { return e.Err }

// Option configures a Renderer.
type Option func(*Renderer)

// WithDiagrams renders ```d2 fences with f. Without it they stay code blocks.
func WithDiagrams(f DiagramFunc) Option { return func(r *Renderer) { r.diagrams = f } }

var kindDiagram = ast.NewNodeKind("Diagram")

type diagramNode struct {
	ast.BaseBlock
	d Diagram
}

func (n *diagramNode) Kind() ast.NodeKind { return kindDiagram }
func (n *diagramNode) IsRaw() bool        { return true }
func (n *diagramNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Title": n.d.Title}, nil)
}

type diagramRenderer struct{}

func (diagramRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindDiagram, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			d := n.(*diagramNode).d
			fmt.Fprintf(w, "<figure class=\"diagram\">%s<figcaption>%s</figcaption></figure>\n", d.SVG, html.EscapeString(d.Title))
		}
		return ast.WalkSkipChildren, nil
	})
}

func diagramRendererOption() renderer.Option {
	return renderer.WithNodeRenderers(util.Prioritized(diagramRenderer{}, 100))
}

// lineOf is the 1-based line of byte offset off in src.
func lineOf(src []byte, off int) int { return bytes.Count(src[:off], []byte("\n")) + 1 }

// renderDiagrams replaces the ```d2 fences collected during the walk with rendered figures.
func (r *Renderer) renderDiagrams(src []byte, fences []*ast.FencedCodeBlock, plain *bytes.Buffer) error {
	for _, f := range fences {
		first := 0
		if f.Lines().Len() > 0 {
			first = lineOf(src, f.Lines().At(0).Start)
		} else {
			first = lineOf(src, f.Info.Segment.Start) + 1
		}
		d, err := r.diagrams(blockText(f, src))
		if err != nil {
			line := first
			var dl interface{ DiagramLine() int }
			if errors.As(err, &dl) && dl.DiagramLine() > 0 {
				line = first + dl.DiagramLine() - 1
			}
			return &DiagramError{Line: line, Err: err}
		}
		plain.WriteString(d.Title + ". " + d.Desc + "\n")
		node := &diagramNode{d: d}
		f.Parent().ReplaceChild(f.Parent(), f, node)
	}
	return nil
}

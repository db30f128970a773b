package markdown

import (
	"bytes"
	"fmt"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
)

// HighlightCSS returns the CSS for highlighted code: a light theme, and a dark theme inside a
// prefers-color-scheme media query, so code follows the page's colour scheme.
func HighlightCSS() ([]byte, error) {
	f := chromahtml.New(chromahtml.WithClasses(true))
	var buf bytes.Buffer
	if err := f.WriteCSS(&buf, styles.Get("github")); err != nil {
		return nil, fmt.Errorf("write light highlight css: %w", err)
	}
	buf.WriteString("@media (prefers-color-scheme: dark) {\n")
	if err := f.WriteCSS(&buf, styles.Get("github-dark")); err != nil {
		return nil, fmt.Errorf("write dark highlight css: %w", err)
	}
	buf.WriteString("}\n")
	return buf.Bytes(), nil
}

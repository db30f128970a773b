package markdown

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/content"
	"golang.org/x/net/html"
)

// FuzzRender renders arbitrary Markdown (lessons, questions and labs are written by
// contributors): it must not panic, and must never let raw HTML or a script URL through.
func FuzzRender(f *testing.F) {
	// Seeds: a handful of real lessons (every lesson would make each fuzzing run start slowly).
	seeds := 0
	_ = fs.WalkDir(content.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || seeds == 4 {
			return err
		}
		data, _ := fs.ReadFile(content.FS, p)
		f.Add(string(data))
		seeds++
		return nil
	})
	f.Add("> [!TRAP]\n> x\n\n## H {#id}\n\n[a](lesson:x/y) <script>alert(1)</script> [b](javascript:alert(1))")
	r := New()
	resolve := func(kind, id string) (string, bool) { return "/" + kind + "/" + id, id != "" }
	f.Fuzz(func(t *testing.T, src string) {
		d, err := r.Render([]byte(src), resolve)
		if err != nil {
			return
		}
		if bad := unsafeHTML(d.HTML); bad != "" {
			t.Fatalf("rendered HTML has %s:\n%s", bad, d.HTML)
		}
		_ = r.RenderInline(src)
	})
}

// unsafeHTML names the first element or attribute in page that could run script.
func unsafeHTML(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return "unparsable HTML: " + err.Error()
	}
	var bad string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if bad != "" {
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "embed", "style":
				bad = "a <" + n.Data + "> element"
				return
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || ((a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:text/html"))) {
					bad = "attribute " + a.Key + "=" + a.Val
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return bad
}

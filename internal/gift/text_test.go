package gift

import (
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/markdown"
)

func TestToMarkdown(t *testing.T) {
	for _, c := range []struct{ in, format, want string }{
		{"Keep **this**", "markdown", "Keep **this**"},
		{"2 * 3 = 6 and a_b", "plain", `2 \* 3 = 6 and a\_b`},
		{"<p>Which object keeps <b>n</b> Pods&nbsp;running?</p>", "html", "Which object keeps **n** Pods\u00a0running?"},
		{"<p>One</p><p>Two<br>lines</p>", "html", "One\n\nTwo\\\nlines"},
		{`<p>Run <code>kubectl get pods</code>:</p><pre>apiVersion: v1
kind: Pod</pre>`, "html", "Run `kubectl get pods`:\n\n```\napiVersion: v1\nkind: Pod\n```"},
		{"<ul><li>a</li><li>b</li></ul>", "html", "- a\n- b"},
		{`<p>See <a href="https://kubernetes.io/docs/">the docs</a> and <a href="javascript:alert(1)">this</a></p>`, "html", "See [the docs](https://kubernetes.io/docs/) and this"},
		{`<script>alert(1)</script><p>x &lt;y&gt;</p>`, "html", `x \<y\>`},
		{"A <i>tag</i> in auto format", "moodle", "A *tag* in auto format"},
		{"no tags, 1 < 2", "", `no tags, 1 \< 2`},
		{"- not a list", "plain", `\- not a list`},
		{"<p>See https://kubernetes.io/docs/a_b/#c_d.</p>", "html", "See https://kubernetes.io/docs/a_b/#c_d."},
	} {
		if got := ToMarkdown(c.in, c.format); got != c.want {
			t.Errorf("ToMarkdown(%q, %q)\n got %q\nwant %q", c.in, c.format, got, c.want)
		}
	}
}

// TestToMarkdownIsSafeAndStable: whatever HTML comes in, the Markdown renders without raw HTML
// (no script, no event handler), and converting the result again as Markdown changes nothing.
func TestToMarkdownIsSafeAndStable(t *testing.T) {
	md := markdown.New()
	for _, in := range []string{
		`<p onclick="x()">Hi <img src=x onerror=alert(1) alt="a cat"></p>`,
		`<div><script>bad()</script><iframe src="https://evil"></iframe>text</div>`,
		"<p>Use `backticks` and *stars*</p>",
	} {
		out := ToMarkdown(in, "html")
		d, err := md.Render([]byte(out), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<script", "onerror", "onclick", "<iframe", "<img"} {
			if strings.Contains(d.HTML, bad) {
				t.Errorf("%q rendered as %q: contains %s", in, d.HTML, bad)
			}
		}
		if again := ToMarkdown(out, "markdown"); again != out {
			t.Errorf("not stable: %q then %q", out, again)
		}
	}
}

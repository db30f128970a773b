package markdown

import (
	"regexp"
	"strings"
	"testing"
)

func TestRenderDropsRawHTMLAndDangerousLinks(t *testing.T) {
	r := New()
	d, err := r.Render([]byte("Hello <script>alert(1)</script>\n\n<div onclick=x>raw</div>\n\n[x](javascript:alert(1))\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<div", "javascript:"} {
		if strings.Contains(d.HTML, bad) {
			t.Errorf("rendered HTML contains %q:\n%s", bad, d.HTML)
		}
	}
}

func TestRenderHeadingsTOCAndAnchors(t *testing.T) {
	d, err := New().Render([]byte("# Title\n\n## Why Pods exist\n\ntext\n\n### Init containers\n\n#### deep\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.TOC) != 2 || d.TOC[0].ID != "why-pods-exist" || d.TOC[0].Text != "Why Pods exist" || d.TOC[1].Level != 3 {
		t.Fatalf("TOC = %+v", d.TOC)
	}
	if !strings.Contains(d.HTML, `<h2 id="why-pods-exist">Why Pods exist<a href="#why-pods-exist" class="anchor"`) {
		t.Errorf("heading has no anchor:\n%s", d.HTML)
	}
}

func TestRenderCalloutsTablesAndCode(t *testing.T) {
	src := "> [!TRAP]\n> A Pod is *not* a container.\n\n> plain quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```yaml\nkind: Pod\n```\n"
	d, err := New().Render([]byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<blockquote class="callout callout-trap">`,
		`<p class="callout-title">Exam trap</p>`,
		`<em>not</em>`,
		"<blockquote>\n<p>plain quote</p>",
		"<table>",
		`<span class="nt">kind</span>`,
	} {
		if !strings.Contains(d.HTML, want) {
			t.Errorf("missing %q in:\n%s", want, d.HTML)
		}
	}
	if strings.Contains(d.HTML, "[!TRAP]") {
		t.Errorf("marker left in output:\n%s", d.HTML)
	}
}

func TestRenderInternalLinks(t *testing.T) {
	resolve := func(kind, id string) (string, bool) {
		if kind == "lesson" && id == "kf/01-x" {
			return "/lessons/kf/01-x", true
		}
		return "", false
	}
	d, err := New().Render([]byte("[ok](lesson:kf/01-x) and [bad](lab:nope) and [web](https://kubernetes.io/)"), resolve)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="/lessons/kf/01-x"`, `class="broken-link"`, `href="https://kubernetes.io/"`} {
		if !strings.Contains(d.HTML, want) {
			t.Errorf("missing %q in:\n%s", want, d.HTML)
		}
	}
}

func TestWordsExcludeCode(t *testing.T) {
	d, err := New().Render([]byte("One two three.\n\n```shell\nkubectl get pods -A\n```\n\nFour `inline code` don't.\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Words != 7 {
		t.Errorf("Words = %d, want 7 (code block excluded, inline code and don't counted)", d.Words)
	}
	if !strings.Contains(d.Text, "kubectl get pods") {
		t.Errorf("search text lacks code: %q", d.Text)
	}
}

func TestCountWords(t *testing.T) {
	for in, want := range map[string]int{"": 0, "a b": 2, "kube-proxy's modes": 2, "v1.33, 3 times": 4, "—": 0} {
		if got := CountWords(in); got != want {
			t.Errorf("CountWords(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestRenderInlineUnwraps(t *testing.T) {
	if got := New().RenderInline("use `kubectl` **now**"); got != "use <code>kubectl</code> <strong>now</strong>" {
		t.Errorf("RenderInline = %q", got)
	}
}

func TestHighlightCSS(t *testing.T) {
	css, err := HighlightCSS()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(css), "prefers-color-scheme: dark") || !strings.Contains(string(css), ".chroma") {
		t.Errorf("unexpected css: %.200s", css)
	}
}

// markdownLeftover matches Markdown syntax that must not reach search snippets: emphasis,
// backticks, links, heading marks (and the heading's "#" permalink), list markers, callouts.
var markdownLeftover = regexp.MustCompile("\\*\\*|__|`|\\]\\(|\\[![A-Z]+\\]|(^|\\s)#{1,6}(\\s|$)|(^|\\s)[-*+]\\s|(^|\\s)\\d+\\.\\s")

func TestSearchTextHasNoMarkdownLeftovers(t *testing.T) {
	src := "# Title\n\nSome **bold** and _em_ and `code` and [a link](https://kubernetes.io/).\n\n" +
		"## How it works\n\n- one item\n- two items\n\n1. first\n2. second\n\n> [!TRAP]\n> Pods are not containers.\n\n### Deeper\n\nEnd.\n"
	d, err := New().Render([]byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := markdownLeftover.FindString(d.Text); m != "" {
		t.Errorf("search text has Markdown leftover %q: %q", m, d.Text)
	}
	for _, want := range []string{"Some bold and em and code and a link.", "How it works one item", "Pods are not containers.", "Deeper End."} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("search text lacks %q: %q", want, d.Text)
		}
	}
}

package gift

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// ToMarkdown turns question text in a GIFT format into kcnaprep's Markdown, which the catalog
// renders without raw HTML:
//
//   - markdown is kept as it is;
//   - html (what Moodle writes) is converted: paragraphs, line breaks, lists, bold, italics,
//     code and pre, links (http and https only) and images (their alt text) become Markdown;
//     any other tag keeps its text and loses the tag; entities are decoded;
//   - plain is escaped, so * or _ in it show as themselves;
//   - moodle (Moodle's auto-format) and no format: HTML when the text holds tags, else plain.
func ToMarkdown(text, format string) string {
	switch format {
	case "markdown":
		return strings.TrimSpace(text)
	case "html":
		return htmlToMarkdown(text)
	case "plain":
		return escapeMarkdown(strings.TrimSpace(text))
	default:
		if tagRe.MatchString(text) {
			return htmlToMarkdown(text)
		}
		return escapeMarkdown(strings.TrimSpace(text))
	}
}

var tagRe = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>`)

// mdSpecial are the characters Markdown may read as markup. Escaping them all is safe:
// a backslash before any ASCII punctuation is a literal in CommonMark.
var mdSpecial = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "~", `\~`)

func escapeMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = escapeInline(l)
		// A line starting "1." or "-" or "+" would become a list.
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "+ ") || listNumRe.MatchString(t) {
			l = strings.Replace(l, t[:1], `\`+t[:1], 1)
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

var listNumRe = regexp.MustCompile(`^[0-9]+[.)] `)

// htmlToMarkdown converts Moodle's question HTML to Markdown.
func htmlToMarkdown(src string) string {
	root, err := html.Parse(strings.NewReader("<body>" + src + "</body>"))
	if err != nil {
		return escapeMarkdown(tagRe.ReplaceAllString(src, ""))
	}
	var c mdConv
	c.walk(root)
	out := blankRuns.ReplaceAllString(c.b.String(), "\n\n")
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

var blankRuns = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

type mdConv struct {
	b       strings.Builder
	list    []string // "ul" or "ol" per open list
	counter []int
}

func (c *mdConv) block() {
	s := c.b.String()
	if s != "" && !strings.HasSuffix(s, "\n\n") {
		if strings.HasSuffix(s, "\n") {
			c.b.WriteString("\n")
		} else {
			c.b.WriteString("\n\n")
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "br" {
			b.WriteString("\n")
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			f(ch)
		}
	}
	f(n)
	return b.String()
}

func (c *mdConv) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch)
	}
}

func (c *mdConv) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		t := whitespace.ReplaceAllString(n.Data, " ")
		if strings.HasSuffix(c.b.String(), "\n") {
			t = strings.TrimLeft(t, " ")
		}
		c.b.WriteString(escapeInline(t))
		return
	case html.ElementNode:
	default:
		c.children(n)
		return
	}
	switch n.Data {
	case "script", "style", "head", "title":
		return
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr":
		c.block()
		c.children(n)
		c.block()
	case "br":
		c.b.WriteString("\\\n")
	case "strong", "b":
		c.wrap(n, "**")
	case "em", "i":
		c.wrap(n, "*")
	case "code", "tt", "kbd", "samp":
		t := strings.ReplaceAll(textOf(n), "\n", " ")
		fence := "`"
		for strings.Contains(t, fence) {
			fence += "`"
		}
		pad := ""
		if strings.HasPrefix(t, "`") || strings.HasSuffix(t, "`") {
			pad = " "
		}
		c.b.WriteString(fence + pad + t + pad + fence)
	case "pre":
		t := strings.Trim(textOf(n), "\n")
		fence := "```"
		for strings.Contains(t, fence) {
			fence += "`"
		}
		c.block()
		c.b.WriteString(fence + "\n" + t + "\n" + fence)
		c.block()
	case "ul", "ol":
		c.block()
		c.list = append(c.list, n.Data)
		c.counter = append(c.counter, 0)
		c.children(n)
		c.list, c.counter = c.list[:len(c.list)-1], c.counter[:len(c.counter)-1]
		c.block()
	case "li":
		s := c.b.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			c.b.WriteString("\n")
		}
		depth := len(c.list)
		c.b.WriteString(strings.Repeat("   ", max(0, depth-1)))
		if depth > 0 && c.list[depth-1] == "ol" {
			c.counter[depth-1]++
			c.b.WriteString(itoa(c.counter[depth-1]) + ". ")
		} else {
			c.b.WriteString("- ")
		}
		c.children(n)
		c.b.WriteString("\n")
	case "a":
		href := attr(n, "href")
		if strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://") {
			c.b.WriteString("[")
			c.children(n)
			c.b.WriteString("](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(href) + ")")
		} else {
			c.children(n)
		}
	case "img":
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			c.b.WriteString("[image: " + escapeInline(alt) + "]")
		}
	case "td", "th":
		c.children(n)
		c.b.WriteString(" ")
	default:
		c.children(n)
	}
}

func (c *mdConv) wrap(n *html.Node, mark string) {
	inner := mdConv{list: c.list, counter: c.counter}
	inner.children(n)
	t := inner.b.String()
	if strings.TrimSpace(t) == "" {
		c.b.WriteString(t)
		return
	}
	lead := t[:len(t)-len(strings.TrimLeft(t, " "))]
	trail := t[len(strings.TrimRight(t, " ")):]
	c.b.WriteString(lead + mark + strings.TrimSpace(t) + mark + trail)
}

var whitespace = regexp.MustCompile(`[ \t\r\n]+`)

// escapeInline escapes text inside a paragraph; a text node never starts a list, so only the
// inline markup characters matter. Bare URLs stay as they are, so they still link and work.
func escapeInline(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range bareURLRe.FindAllStringIndex(s, -1) {
		b.WriteString(mdSpecial.Replace(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(mdSpecial.Replace(s[last:]))
	return b.String()
}

// bareURLRe matches a URL in text, without the punctuation that ends a sentence.
var bareURLRe = regexp.MustCompile(`https?://[^\s<>()\[\]"'` + "`" + `*]+[^\s<>()\[\]"'.,;:!?` + "`" + `*]`)

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

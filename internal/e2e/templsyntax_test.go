package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"golang.org/x/net/html"
)

// templSyntax matches templ (and Go template) source that leaked into a page's text: a
// component call (`@officialTag(vm.X)`), an expression (`{ vm.Title }`, `{ strconv.Itoa(n) }`,
// `{ children... }`), a component declaration, Go statements, and `{{ }}` actions.
var templSyntax = []*regexp.Regexp{
	regexp.MustCompile(`@[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*\(`),
	regexp.MustCompile(`\{\s*[A-Za-z_]\w*(\.[A-Za-z_]\w*)+(\([^{}]*\))?\s*\}`),
	regexp.MustCompile(`\{\s*[A-Za-z_]\w*\([^{}]*\)\s*\}`),
	regexp.MustCompile(`\{\s*children\.\.\.\s*\}`),
	regexp.MustCompile(`\btempl\s+[A-Za-z_]\w*\(`),
	regexp.MustCompile(`\btempl\.(Raw|SafeURL|KV|Attributes|URL)\b`),
	regexp.MustCompile(`\}\s*else\s*(if\b[^{}]*)?\{`),
	regexp.MustCompile(`\bfor\s+[\w, ]+:=\s*range\b`),
	regexp.MustCompile(`\bif\s+[\w.!]+(\s*[!=]=\s*[\w."]+)?\s*\{\s*$`),
	regexp.MustCompile(`\{\{|\}\}`),
}

// Elements whose text is code the page shows on purpose (lessons teach Helm templates, Go
// snippets and YAML), or is not text at all.
var codeElements = map[string]bool{"pre": true, "code": true, "kbd": true, "samp": true, "script": true, "style": true, "textarea": true}

// Attributes people read (tooltips, labels): checked like text.
var readAttrs = map[string]bool{"title": true, "alt": true, "aria-label": true, "placeholder": true, "value": false}

// templLeaks returns every piece of templ syntax in the page's visible text and readable
// attributes, outside code elements, each with a little context.
func templLeaks(page string) ([]string, error) {
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, err
	}
	var out []string
	check := func(where, s string) {
		for _, re := range templSyntax {
			if loc := re.FindStringIndex(s); loc != nil {
				from, to := max(0, loc[0]-40), min(len(s), loc[1]+40)
				out = append(out, fmt.Sprintf("%s: %q (pattern %s)", where, strings.TrimSpace(s[from:to]), re))
			}
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if codeElements[n.Data] {
				return
			}
			for _, a := range n.Attr {
				if readAttrs[a.Key] {
					check("<"+n.Data+" "+a.Key+">", a.Val)
				}
			}
		}
		if n.Type == html.TextNode {
			where := "text"
			if p := n.Parent; p != nil {
				where = "text in <" + p.Data + ">"
			}
			// Check line by line too, so that a statement at the end of a line is seen.
			check(where, n.Data)
			for _, line := range strings.Split(n.Data, "\n") {
				if strings.TrimSpace(line) != strings.TrimSpace(n.Data) {
					check(where, line)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out, nil
}

func TestTemplLeakDetector(t *testing.T) {
	leaks := []string{
		`<li>60 questions @officialTag(vm.Exam.QuestionsOfficial)</li>`,
		`<p>Duration @components.Pill(x) · count</p>`,
		`<h1>{ vm.Title }</h1>`,
		`<p>{ strconv.Itoa(vm.Score) } points</p>`,
		`<p>{ title(x) }</p>`,
		`<main>{ children... }</main>`,
		`<p>templ officialTag(official bool) {</p>`,
		`<div>} else {</div>`,
		`<div>for _, d := range vm.Domains {</div>`,
		"<div>\nif vm.Passed {\n</div>",
		`<p>Hello {{ .Name }}</p>`,
		`<a title="{ vm.Tip }">x</a>`,
		`<p>See @templ.Raw(x)</p>`,
	}
	for _, page := range leaks {
		if got, err := templLeaks(page); err != nil || len(got) == 0 {
			t.Errorf("no leak found in %s (err %v)", page, err)
		}
	}
	clean := []string{
		`<pre><code>{{ .Values.image }} @include(x) for _, p := range pods {</code></pre>`,
		`<p>Use <code>{{ .Release.Name }}</code> and <code>kubectl get pods -o jsonpath='{.items[*].metadata.name}'</code>.</p>`,
		`<p>Email ops@example.com (the on-call rota) or write to { the team }.</p>`,
		`<p>A label selector {app: web} matches; <kbd>@</kbd> is a key.</p>`,
		`<p>If the pod is pending, check events. Otherwise { } is an empty object.</p>`,
		`<script>if (a) { b() } else { c() }</script>`,
	}
	for _, page := range clean {
		if got, _ := templLeaks(page); len(got) > 0 {
			t.Errorf("false positive in %s: %v", page, got)
		}
	}
}

// TestNoTemplSyntaxOnAnyPage renders every page, as a learner, an instructor, an admin and
// signed out, with a finished exam, an exam in progress, review cards, a report and every
// lesson, question and lab, and fails on templ source in what the browser would show.
func TestNoTemplSyntaxOnAnyPage(t *testing.T) {
	s := newSite(t)
	type visit struct {
		who  string
		c    *webClient
		path string
	}
	var visits []visit
	for _, p := range s.learnerPages() {
		visits = append(visits, visit{"learner", s.users[domain.RoleLearner], p})
	}
	for _, p := range s.staffPages() {
		visits = append(visits, visit{"instructor", s.users[domain.RoleInstructor], p},
			visit{"admin", s.users[domain.RoleAdmin], p})
	}
	visits = append(visits, visit{"signed out", s.anon, "/login"}, visit{"signed out", s.anon, "/login?next=%2Fexams"},
		visit{"signed out", s.anon, s.passwordLink}, visit{"admin", s.users[domain.RoleAdmin], "/admin/staff"})
	pages := 0
	for _, v := range visits {
		code, loc, body := v.c.do(v.path, nil)
		switch {
		case code == http.StatusSeeOther || code == http.StatusFound:
			t.Errorf("%s GET %s redirected to %s: the page list is stale", v.who, v.path, loc)
			continue
		case code >= 500:
			t.Errorf("%s GET %s = %d", v.who, v.path, code)
			continue
		case code != http.StatusOK && v.path != "/no/such/page":
			t.Errorf("%s GET %s = %d", v.who, v.path, code)
		}
		pages++
		leaks, err := templLeaks(body)
		if err != nil {
			t.Fatalf("%s GET %s: %v", v.who, v.path, err)
		}
		for _, l := range leaks {
			t.Errorf("%s GET %s shows templ source: %s", v.who, v.path, l)
		}
	}
	// And the pages a POST answers with: practice feedback, the report confirmation, a roster
	// refused with its problems and a reset's new link.
	ivo := s.users[domain.RoleInstructor]
	code, _, refused := ivo.do(s.classPage+"/roster", map[string][]string{"csv": {"username,name,email,section\n,x,,\nBad Name,y,,zz\n"}})
	if code != http.StatusUnprocessableEntity {
		t.Errorf("bad roster = %d", code)
	}
	if leaks, _ := templLeaks(refused); len(leaks) > 0 {
		t.Errorf("refused roster page shows templ source: %v", leaks)
	}
	lea := s.users[domain.RoleLearner]
	q := s.a.Catalog.Questions[len(s.a.Catalog.Questions)-1]
	_, body := lea.must("/practice/q/"+q.ID, map[string][]string{"choice": {"0"}, "token": {"t1"}}, http.StatusOK)
	if leaks, _ := templLeaks(body); len(leaks) > 0 {
		t.Errorf("practice feedback shows templ source: %v", leaks)
	}
	t.Logf("%d pages checked", pages)
}

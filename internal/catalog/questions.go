package catalog

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kcnaprep/kcnaprep/internal/markdown"
	"go.yaml.in/yaml/v3"
)

// Question types.
const (
	Single   = "single"
	Multiple = "multiple"
)

// Question limits, enforced by the content check.
const (
	MinChoices = 3
	MaxChoices = 6
)

// Question is one practice question.
type Question struct {
	ID          string
	Type        string // Single or Multiple
	Difficulty  int    // 1 recall, 2 understanding, 3 applying
	Stem        string // Markdown
	Choices     []Choice
	Explanation string // Markdown
	References  []Reference
	LessonID    string
	Lesson      *Lesson
	Competency  *Competency
	Domain      *Domain
	File        string
	Line        int
	Tags        []string // e.g. TagBeyondKCNA

	summary  string // Summary, computed at load: cheap, and asked for on every lesson page
	render   func() renderedQuestion
	renderMu sync.Once
	rendered renderedQuestion
}

// Choice is one option of a question.
type Choice struct {
	Text    string `yaml:"text"`
	Correct bool   `yaml:"correct"`
	Why     string `yaml:"why"`
}

type renderedQuestion struct {
	stem, explanation string
	choices, whys     []string
}

// URL is the question's own page.
func (q *Question) URL() string { return "/questions/" + q.ID }

// Correct returns the indices of the correct choices, in order.
func (q *Question) Correct() []int {
	var out []int
	for i, c := range q.Choices {
		if c.Correct {
			out = append(out, i)
		}
	}
	return out
}

// NumCorrect is how many choices the learner must pick.
func (q *Question) NumCorrect() int { return len(q.Correct()) }

// IsCorrect reports whether picked (choice indices, any order, no duplicates) is exactly the
// set of correct choices. Exams score all-or-nothing, as the real exam does.
func (q *Question) IsCorrect(picked []int) bool {
	want := q.Correct()
	if len(picked) != len(want) {
		return false
	}
	seen := make(map[int]bool, len(picked))
	for _, p := range picked {
		if p < 0 || p >= len(q.Choices) || !q.Choices[p].Correct || seen[p] {
			return false
		}
		seen[p] = true
	}
	return true
}

func (q *Question) html() renderedQuestion {
	q.renderMu.Do(func() { q.rendered = q.render() })
	return q.rendered
}

// StemHTML is the rendered stem. Rendering is lazy: most questions are never shown in a run.
func (q *Question) StemHTML() string { return q.html().stem }

// Summary is the stem as one line of plain text, at most 90 characters, for lists. It does
// not render the question: a lesson page lists its questions without rendering them all.
func (q *Question) Summary() string { return q.summary }

// ExplanationHTML is the rendered explanation.
func (q *Question) ExplanationHTML() string { return q.html().explanation }

// ChoiceHTML is the rendered text of choice i.
func (q *Question) ChoiceHTML(i int) string { return q.html().choices[i] }

// WhyHTML is the rendered reason of choice i.
func (q *Question) WhyHTML(i int) string { return q.html().whys[i] }

type questionFile struct {
	Domain     string         `yaml:"domain"`
	Competency string         `yaml:"competency"`
	Questions  []questionYAML `yaml:"questions"`
}

type questionYAML struct {
	ID          string      `yaml:"id"`
	Type        string      `yaml:"type"`
	Difficulty  int         `yaml:"difficulty"`
	Stem        string      `yaml:"stem"`
	Choices     []Choice    `yaml:"choices"`
	Explanation string      `yaml:"explanation"`
	References  []Reference `yaml:"references"`
	Lesson      string      `yaml:"lesson"`
	Tags        []string    `yaml:"tags"`
}

// TagBeyondKCNA marks a question deeper than the KCNA asks (trivia such as a kubelet
// threshold's default): it stays in practice and review but is never drawn for a mock exam, so
// an exam score reads like the real one.
const TagBeyondKCNA = "beyond-kcna"

// knownTags are the tags a question may carry, with what each means.
var knownTags = map[string]string{TagBeyondKCNA: "practice only: never drawn for a mock exam"}

// HasTag reports whether the question carries tag.
func (q *Question) HasTag(tag string) bool { return slices.Contains(q.Tags, tag) }

// ExamEligible reports whether a mock exam may draw the question.
func (q *Question) ExamEligible() bool { return !q.HasTag(TagBeyondKCNA) }

var (
	questionIDRe = regexp.MustCompile(`^([a-z]+-[a-z]+)-(\d{3,4})$`)
	aboveRe      = regexp.MustCompile(`(?i)\b(all|none|both|neither) of (the )?(above|these|them|those|the options|the above)\b`)
)

// loadQuestions reads quizzes/<domain>/<competency>[-part].yaml.
func (c *Catalog) loadQuestions(ps *problems, fsys fs.FS) {
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			ps.add("quizzes/"+p, 0, "read: %v", err)
			return nil
		}
		c.parseQuestionFile(ps, "quizzes/"+p, p, data)
		return nil
	})
	if err != nil {
		ps.add("quizzes", 0, "walk: %v", err)
	}
}

// questionIDLine finds the ids of a question file whose YAML is broken, so that links to its
// questions are not reported as broken on top of the file's own problem.
var questionIDLine = regexp.MustCompile(`(?m)^\s*-?\s*id:\s*["']?([A-Za-z0-9._-]+)`)

// ParseQuestionFile validates one question file on its own, as the importer and tests need.
func (c *Catalog) parseQuestionFile(ps *problems, file, rel string, data []byte) {
	var qf questionFile
	root, ok := decodeStrict(ps, file, 0, data, &qf)
	if !ok {
		for _, m := range questionIDLine.FindAllSubmatch(data, -1) {
			c.unreadable["question:"+string(m[1])] = true
		}
		return
	}
	parts := strings.Split(rel, "/")
	dom := c.domainByID[qf.Domain]
	comp := c.competencyByID[qf.Competency]
	switch {
	case dom == nil:
		ps.add(file, keyLine(root, "domain"), "unknown domain %q", qf.Domain)
		return
	case comp == nil:
		ps.add(file, keyLine(root, "competency"), "unknown competency %q", qf.Competency)
		return
	case comp.Domain != dom:
		ps.add(file, keyLine(root, "competency"), "competency %q belongs to domain %q, not %q", comp.ID, comp.Domain.ID, dom.ID)
		return
	}
	base := strings.TrimSuffix(strings.TrimSuffix(parts[len(parts)-1], ".yaml"), ".yml")
	if len(parts) != 2 || parts[0] != dom.ID || (base != comp.ID && !strings.HasPrefix(base, comp.ID+"-")) {
		ps.add(file, 0, "file must be quizzes/%s/%s.yaml or quizzes/%s/%s-<part>.yaml", dom.ID, comp.ID, dom.ID, comp.ID)
	}
	if len(qf.Questions) == 0 {
		ps.add(file, keyLine(root, "questions"), "no questions")
	}
	seq := valueNode(root, "questions")
	for i, y := range qf.Questions {
		var qn *yaml.Node
		if seq != nil && i < len(seq.Content) {
			qn = seq.Content[i]
		}
		c.addQuestion(ps, file, qn, y, dom, comp)
	}
}

func (c *Catalog) addQuestion(ps *problems, file string, qn *yaml.Node, y questionYAML, dom *Domain, comp *Competency) {
	line := func(key string) int { return keyLine(qn, key) }
	q := &Question{
		ID:          y.ID,
		Type:        y.Type,
		Difficulty:  y.Difficulty,
		Stem:        strings.TrimSpace(y.Stem),
		Choices:     y.Choices,
		Explanation: strings.TrimSpace(y.Explanation),
		References:  y.References,
		LessonID:    y.Lesson,
		Tags:        y.Tags,
		Competency:  comp,
		Domain:      dom,
		File:        file,
		Line:        line("id"),
	}
	name := y.ID
	if name == "" {
		name = "question"
	}
	if m := questionIDRe.FindStringSubmatch(y.ID); m == nil {
		ps.add(file, line("id"), "%s: id must be <prefix>-NNN, e.g. %s-001", name, comp.Prefix)
	} else if m[1] != comp.Prefix {
		ps.add(file, line("id"), "%s: id prefix must be %q for competency %s", name, comp.Prefix, comp.ID)
	}
	if prev := c.questionByID[y.ID]; prev != nil && y.ID != "" {
		ps.add(file, line("id"), "duplicate question id %s (also %s:%d)", y.ID, prev.File, prev.Line)
		return
	}
	correct := 0
	for _, ch := range y.Choices {
		if ch.Correct {
			correct++
		}
	}
	switch y.Type {
	case Single:
		if correct != 1 {
			ps.add(file, line("choices"), "%s: type single needs exactly one correct choice, has %d", name, correct)
		}
	case Multiple:
		if correct < 2 {
			ps.add(file, line("choices"), "%s: type multiple needs at least two correct choices, has %d", name, correct)
		} else if correct == len(y.Choices) {
			ps.add(file, line("choices"), "%s: every choice is correct; a multiple-answer question needs at least one wrong choice", name)
		}
	default:
		ps.add(file, line("type"), "%s: type must be single or multiple, not %q", name, y.Type)
	}
	if n := len(y.Choices); n < MinChoices || n > MaxChoices {
		ps.add(file, line("choices"), "%s: %d choices; %d to %d required", name, n, MinChoices, MaxChoices)
	}
	seen := map[string]int{}
	for i, ch := range y.Choices {
		cl := itemLine(qn, "choices", i)
		text := strings.TrimSpace(ch.Text)
		switch {
		case text == "":
			ps.add(file, cl, "%s: choice %d has no text", name, i+1)
		case aboveRe.MatchString(text):
			ps.add(file, cl, "%s: choice %d: no \"all/none of the above\" choices", name, i+1)
		}
		key := strings.ToLower(strings.Join(strings.Fields(text), " "))
		if j, dup := seen[key]; dup && text != "" {
			ps.add(file, cl, "%s: choice %d repeats choice %d", name, i+1, j+1)
		}
		seen[key] = i + 1
		if strings.TrimSpace(ch.Why) == "" {
			ps.add(file, cl, "%s: choice %d has no why: every option explains itself", name, i+1)
		}
	}
	for _, t := range y.Tags {
		if _, ok := knownTags[t]; !ok {
			ps.add(file, line("tags"), "%s: unknown tag %q (known: %s)", name, t, TagBeyondKCNA)
		}
	}
	if y.Difficulty < 1 || y.Difficulty > 3 {
		ps.add(file, line("difficulty"), "%s: difficulty must be 1, 2 or 3, got %d", name, y.Difficulty)
	}
	if q.Stem == "" {
		ps.add(file, line("stem"), "%s: stem is required", name)
	}
	if q.Explanation == "" {
		ps.add(file, line("explanation"), "%s: explanation is required", name)
	}
	if len(y.References) == 0 {
		ps.add(file, line("references"), "%s: at least one reference (official docs URL) is required", name)
	}
	for i, r := range y.References {
		if msg := checkReference(r.URL, c.Curriculum.ReferenceHosts); msg != "" {
			ps.add(file, refLine(qn, i), "%s: %s", name, msg)
		}
	}
	c.prepareRender(q)
	if y.ID != "" {
		c.questionByID[y.ID] = q
	}
	c.Questions = append(c.Questions, q)
}

func mustRender(md *markdown.Renderer, src string, resolve markdown.Resolver) string {
	d, err := md.Render([]byte(src), resolve)
	if err != nil {
		return fmt.Sprintf("<p>(could not render: %v)</p>", err)
	}
	return d.HTML
}

// markdownMarks strips the Markdown characters a one-line summary should not show.
var markdownMarks = strings.NewReplacer("`", "", "*", "", "#", "")

// oneLine shortens Markdown to one line of plain text of at most n runes.
func oneLine(md string, n int) string {
	line := strings.Join(strings.Fields(markdownMarks.Replace(md)), " ")
	if r := []rune(line); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return line
}

// prepareRender gives q its one-line summary and the function that renders its Markdown
// (the bank's questions and a class's own questions alike).
func (c *Catalog) prepareRender(q *Question) {
	md := c.md
	q.summary = oneLine(q.Stem, 90)
	q.render = func() renderedQuestion {
		r := renderedQuestion{
			stem:        mustRender(md, q.Stem, c.resolve),
			explanation: mustRender(md, q.Explanation, c.resolve),
		}
		for _, ch := range q.Choices {
			r.choices = append(r.choices, md.RenderInline(ch.Text))
			r.whys = append(r.whys, md.RenderInline(ch.Why))
		}
		return r
	}
}

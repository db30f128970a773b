package catalog

import (
	"bytes"
	"errors"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/markdown"
)

// Lesson limits, enforced by the content check.
const (
	MinLessonWords          = 600
	MaxLessonWords          = 1500
	MinLessonsPerCompetency = 2
)

// Lesson is one Markdown lesson, content/<domain>/<NN>-<slug>.md.
type Lesson struct {
	ID           string // "<domain>/<NN>-<slug>"
	File         string // "content/<domain>/<NN>-<slug>.md"
	Order        int    // NN
	Domain       *Domain
	Title        string
	Competencies []*Competency
	Minutes      int
	Objectives   []string
	References   []Reference

	HTML  string // rendered body, safe
	TOC   []markdown.Heading
	Words int
	Text  string // plain text for search

	Prev, Next *Lesson     // reading order across the whole course
	Questions  []*Question // questions whose `lesson` is this one
	Labs       []*Lab      // labs sharing a competency

	body     []byte
	bodyLine int // line of the body's first line in the file
}

// URL is the lesson's page.
func (l *Lesson) URL() string { return "/lessons/" + l.ID }

type lessonMeta struct {
	Title        string      `yaml:"title"`
	Competencies []string    `yaml:"competencies"`
	Minutes      int         `yaml:"minutes"`
	Objectives   []string    `yaml:"objectives"`
	References   []Reference `yaml:"references"`
}

var lessonName = regexp.MustCompile(`^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$`)

// loadLessons parses every lesson's front matter. Bodies are checked and rendered later, once
// questions and labs are known, so internal links can be resolved.
func (c *Catalog) loadLessons(ps *problems, fsys fs.FS) {
	for _, d := range c.Domains {
		entries, err := fs.ReadDir(fsys, d.ID)
		if err != nil {
			continue // a domain without lessons is reported by the coverage check
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
				continue
			}
			file := "content/" + d.ID + "/" + e.Name()
			m := lessonName.FindStringSubmatch(e.Name())
			if m == nil {
				ps.add(file, 0, "lesson file name must be NN-slug.md (two digits, lower-case slug)")
				continue
			}
			data, err := fs.ReadFile(fsys, d.ID+"/"+e.Name())
			if err != nil {
				ps.add(file, 0, "read: %v", err)
				continue
			}
			order, _ := strconv.Atoi(m[1])
			if l := c.parseLesson(ps, file, d, order, data); l != nil {
				for _, prev := range d.Lessons {
					if prev.Order == order {
						ps.add(file, 0, "lesson number %02d is also used by %s", order, prev.File)
					}
				}
				d.Lessons = append(d.Lessons, l)
			}
		}
	}
	// Report stray folders: lessons in a folder that is not a domain would never be shown.
	entries, _ := fs.ReadDir(fsys, ".")
	for _, e := range entries {
		if e.IsDir() && c.domainByID[e.Name()] == nil && e.Name() != DiagramDir {
			ps.add("content/"+e.Name(), 0, "folder is not a domain id from curriculum.yaml; its lessons would never be shown")
		}
	}
}

func (c *Catalog) parseLesson(ps *problems, file string, d *Domain, order int, data []byte) *Lesson {
	front, body, bodyLine, ok := splitFrontMatter(data)
	if !ok {
		ps.add(file, 1, "lesson must start with YAML front matter between --- lines")
		return nil
	}
	var meta lessonMeta
	root, ok := decodeStrict(ps, file, 1, front, &meta)
	if !ok {
		c.unreadable["lesson:"+strings.TrimSuffix(strings.TrimPrefix(file, "content/"), ".md")] = true
		return nil
	}
	line := func(key string) int { return keyLine(root, key) + 1 }
	l := &Lesson{
		ID:         strings.TrimSuffix(strings.TrimPrefix(file, "content/"), ".md"),
		File:       file,
		Order:      order,
		Domain:     d,
		Title:      strings.TrimSpace(meta.Title),
		Minutes:    meta.Minutes,
		Objectives: meta.Objectives,
		References: meta.References,
		body:       body,
		bodyLine:   bodyLine,
	}
	if l.Title == "" {
		ps.add(file, line("title"), "front matter: title is required")
	}
	if len(meta.Competencies) == 0 {
		ps.add(file, line("competencies"), "front matter: competencies is required (one or more competency ids)")
	}
	for i, id := range meta.Competencies {
		comp := c.competencyByID[id]
		if comp == nil {
			ps.add(file, itemLine(root, "competencies", i)+1, "unknown competency %q", id)
			continue
		}
		l.Competencies = append(l.Competencies, comp)
	}
	if meta.Minutes < 3 || meta.Minutes > 45 {
		ps.add(file, line("minutes"), "front matter: minutes must be 3 to 45, got %d", meta.Minutes)
	}
	if n := len(meta.Objectives); n < 2 || n > 6 {
		ps.add(file, line("objectives"), "front matter: 2 to 6 objectives required, got %d", n)
	}
	for i, o := range meta.Objectives {
		if strings.TrimSpace(o) == "" {
			ps.add(file, itemLine(root, "objectives", i)+1, "empty objective")
		}
	}
	if len(meta.References) == 0 {
		ps.add(file, line("references"), "front matter: at least one reference (official docs URL) is required")
	}
	for i, r := range meta.References {
		if msg := checkReference(r.URL, c.Curriculum.ReferenceHosts); msg != "" {
			ps.add(file, refLine(root, i)+1, "%s", msg)
		}
	}
	return l
}

// splitFrontMatter splits "---\nyaml\n---\nbody". bodyLine is the 1-based line of the body's
// first line.
func splitFrontMatter(data []byte) (front, body []byte, bodyLine int, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	rest, found := bytes.CutPrefix(data, []byte("---\n"))
	if !found {
		return nil, nil, 0, false
	}
	end := bytes.Index(rest, []byte("\n---\n"))
	if end < 0 {
		if bytes.HasSuffix(rest, []byte("\n---")) {
			end = len(rest) - 4
		} else {
			return nil, nil, 0, false
		}
	}
	front = rest[:end+1]
	body = rest[min(len(rest), end+5):]
	bodyLine = 1 + bytes.Count(front, []byte("\n")) + 2
	return front, body, bodyLine, true
}

var (
	bodyLinkRe     = regexp.MustCompile(`\]\(([a-z]+):([^)\s]*)\)`)
	relativeLinkRe = regexp.MustCompile(`\]\((\.{1,2}/[^)\s]*|[^):\s]+\.md(?:#[^)\s]*)?)\)`)
	fenceRe        = regexp.MustCompile("^\\s*(```|~~~)")
	trapRe         = regexp.MustCompile(`^>\s*\[!TRAP\]\s*$`)
	calloutRe      = regexp.MustCompile(`^>\s*\[!([A-Za-z]+)\]`)
)

// checkAndRenderLesson validates the body (links, sections, length) and renders it.
func (c *Catalog) checkAndRenderLesson(ps *problems, l *Lesson) {
	lines := strings.Split(string(l.body), "\n")
	inFence := false
	fences, traps := 0, 0
	for i, ln := range lines {
		n := l.bodyLine + i
		if fenceRe.MatchString(ln) {
			if !inFence {
				fences++
			}
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if trapRe.MatchString(ln) {
			traps++
		}
		if m := calloutRe.FindStringSubmatch(ln); m != nil {
			if _, ok := markdown.CalloutKind("[!" + m[1] + "]"); !ok {
				ps.add(l.File, n, "unknown callout [!%s]: use NOTE, TIP, WARNING or TRAP on a line of its own", m[1])
			}
		}
		if strings.HasPrefix(ln, "# ") {
			ps.add(l.File, n, "start body headings at ##: the title comes from front matter")
		}
		for _, m := range bodyLinkRe.FindAllStringSubmatch(ln, -1) {
			switch m[1] {
			case "http", "https", "mailto":
				continue
			}
			if _, ok := c.resolve(m[1], m[2]); !ok && !c.unreadable[m[1]+":"+strings.SplitN(m[2], "#", 2)[0]] {
				ps.add(l.File, n, "broken internal link %s:%s", m[1], m[2])
			}
		}
		for _, m := range relativeLinkRe.FindAllStringSubmatch(ln, -1) {
			ps.add(l.File, n, "relative link %q: use lesson:<id>, question:<id>, lab:<id> or domain:<id>", m[1])
		}
	}
	doc, err := c.md.Render(l.body, c.resolve)
	var de *markdown.DiagramError
	if errors.As(err, &de) {
		ps.add(l.File, l.bodyLine+de.Line-1, "%v", de.Err)
		return
	} else if err != nil {
		ps.add(l.File, l.bodyLine, "render: %v", err)
		return
	}
	l.HTML, l.TOC, l.Words, l.Text = doc.HTML, doc.TOC, doc.Words, doc.Text
	if l.Words < MinLessonWords || l.Words > MaxLessonWords {
		ps.add(l.File, l.bodyLine, "lesson has %d words of prose; %d to %d required (code blocks not counted)", l.Words, MinLessonWords, MaxLessonWords)
	}
	if fences == 0 {
		ps.add(l.File, l.bodyLine, "lesson needs at least one fenced code block: a manifest, a kubectl session or a diagram")
	}
	if !hasHeading(l, "Exam traps") {
		ps.add(l.File, l.bodyLine, "lesson needs a \"## Exam traps\" section")
	} else if traps == 0 {
		ps.add(l.File, l.bodyLine, "the Exam traps section needs at least one > [!TRAP] callout")
	}
	if !hasHeading(l, "Recap") {
		ps.add(l.File, l.bodyLine, "lesson needs a \"## Recap\" section")
	}
}

func hasHeading(l *Lesson, title string) bool {
	for _, h := range l.TOC {
		if h.Level == 2 && strings.EqualFold(h.Text, title) {
			return true
		}
	}
	return false
}

// PrimaryCompetency is the first competency the lesson lists.
func (l *Lesson) PrimaryCompetency() *Competency {
	if len(l.Competencies) == 0 {
		return nil
	}
	return l.Competencies[0]
}

// Package catalog loads kcnaprep's content (curriculum, lessons, question banks, lab bundles)
// from file systems, validates it, and holds it in memory as an immutable catalog.
//
// Every problem is reported with its file and line; Load returns them all at once as Problems.
// The formats are documented in content/README.md, quizzes/README.md and labs/README.md.
package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/markdown"
)

// Sources are the three content trees. Paths inside them are relative to their folder:
// Content holds curriculum.yaml and <domain>/<NN>-<slug>.md.
type Sources struct {
	Content fs.FS
	Quizzes fs.FS
	Labs    fs.FS // may be nil: no labs
}

// DirSources reads content from a directory laid out like the repository:
// DIR/content, DIR/quizzes and DIR/labs.
func DirSources(dir string) (Sources, error) {
	st, err := os.Stat(filepath.Join(dir, "content", "curriculum.yaml"))
	if err != nil || st.IsDir() {
		return Sources{}, fmt.Errorf("content dir %s: no content/curriculum.yaml (a content dir holds content/, quizzes/ and labs/)", dir)
	}
	src := Sources{
		Content: os.DirFS(filepath.Join(dir, "content")),
		Quizzes: os.DirFS(filepath.Join(dir, "quizzes")),
	}
	if st, err := os.Stat(filepath.Join(dir, "labs")); err == nil && st.IsDir() {
		src.Labs = os.DirFS(filepath.Join(dir, "labs"))
	}
	return src, nil
}

// Catalog is the loaded, validated content. It is never modified after Load.
type Catalog struct {
	Curriculum Curriculum
	Domains    []*Domain
	Lessons    []*Lesson   // reading order: domain order, then lesson number
	Questions  []*Question // file order within domain and competency order
	Labs       []*Lab

	md                 *markdown.Renderer
	domainByID         map[string]*Domain
	competencyByID     map[string]*Competency
	competencyByPrefix map[string]*Competency
	lessonByID         map[string]*Lesson
	questionByID       map[string]*Question
	labByID            map[string]*Lab

	// unreadable holds "lesson:<id>" and "question:<id>" of content whose file exists but
	// could not be read (its YAML is broken). That file's problem is reported once; links and
	// references to what it defines are not reported again, so one broken file is one problem,
	// not twenty.
	unreadable map[string]bool

	labLoader LabLoader
	diagrams  *diagrams
}

// LabLoader loads and validates lab bundles. The lab engine provides it, so that checks
// written in CEL are compiled at load time without this package depending on the engine.
type LabLoader func(c *Catalog, fsys fs.FS, report func(file string, line int, msg string)) []*Lab

// Option configures Load.
type Option func(*Catalog)

// WithLabLoader sets the loader of lab bundles. Without one, labs are not loaded.
func WithLabLoader(l LabLoader) Option { return func(c *Catalog) { c.labLoader = l } }

// Load reads and validates all content. On any problem it returns Problems listing them all.
func Load(src Sources, opts ...Option) (*Catalog, error) {
	c := &Catalog{
		diagrams:           &diagrams{fsys: src.Content, svg: map[string]string{}},
		domainByID:         map[string]*Domain{},
		competencyByID:     map[string]*Competency{},
		competencyByPrefix: map[string]*Competency{},
		lessonByID:         map[string]*Lesson{},
		questionByID:       map[string]*Question{},
		labByID:            map[string]*Lab{},
		unreadable:         map[string]bool{},
	}
	c.md = markdown.New(markdown.WithDiagrams(c.diagrams.render))
	for _, o := range opts {
		o(c)
	}
	ps := &problems{}
	data, err := fs.ReadFile(src.Content, "curriculum.yaml")
	if err != nil {
		ps.add(curriculumFile, 0, "read: %v", err)
		return nil, ps.err()
	}
	if !c.loadCurriculum(ps, data) {
		return nil, ps.err() // nothing else can be checked against a broken curriculum
	}
	c.loadLessons(ps, src.Content)
	for _, d := range c.Domains {
		slices.SortFunc(d.Lessons, func(a, b *Lesson) int { return a.Order - b.Order })
		for _, l := range d.Lessons {
			c.Lessons = append(c.Lessons, l)
			c.lessonByID[l.ID] = l
			for _, comp := range l.Competencies {
				comp.Lessons = append(comp.Lessons, l)
			}
		}
	}
	for i, l := range c.Lessons {
		if i > 0 {
			l.Prev = c.Lessons[i-1]
		}
		if i+1 < len(c.Lessons) {
			l.Next = c.Lessons[i+1]
		}
	}
	if src.Quizzes != nil {
		c.loadQuestions(ps, src.Quizzes)
	}
	for _, q := range c.Questions {
		q.Domain.Questions = append(q.Domain.Questions, q)
		q.Competency.Questions = append(q.Competency.Questions, q)
		if q.LessonID == "" {
			continue
		}
		l := c.lessonByID[q.LessonID]
		if l == nil {
			if !c.unreadable["lesson:"+q.LessonID] {
				ps.add(q.File, q.Line, "%s: lesson %q does not exist", q.ID, q.LessonID)
			}
			continue
		}
		q.Lesson = l
		l.Questions = append(l.Questions, q)
	}
	c.checkSimilarStems(ps)
	c.checkOptionForm(ps)
	if src.Labs != nil && c.labLoader != nil {
		c.Labs = c.labLoader(c, src.Labs, func(file string, line int, msg string) { ps.add(file, line, "%s", msg) })
		for _, lab := range c.Labs {
			c.labByID[lab.ID] = lab
			if lab.Domain != nil {
				lab.Domain.Labs = append(lab.Domain.Labs, lab)
			}
			for _, comp := range lab.Competencies {
				comp.Labs = append(comp.Labs, lab)
			}
		}
	}
	for _, l := range c.Lessons {
		c.checkAndRenderLesson(ps, l)
		l.Labs = c.labsFor(l.Competencies)
	}
	c.checkCoverage(ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Catalog) labsFor(comps []*Competency) []*Lab {
	var out []*Lab
	for _, comp := range comps {
		for _, lab := range comp.Labs {
			if !slices.Contains(out, lab) {
				out = append(out, lab)
			}
		}
	}
	return out
}

// checkCoverage reports competencies taught by too few lessons, on the competency's line in
// curriculum.yaml.
func (c *Catalog) checkCoverage(ps *problems) {
	for k := range c.unreadable {
		if strings.HasPrefix(k, "lesson:") {
			return // a lesson that could not be read may cover it: its own problem comes first
		}
	}
	for _, d := range c.Domains {
		for _, comp := range d.Competencies {
			if n := len(comp.Lessons); n < MinLessonsPerCompetency {
				ps.add(curriculumFile, comp.line, "competency %s is covered by %d lesson(s); at least %d required", comp.ID, n, MinLessonsPerCompetency)
			}
		}
	}
}

// resolve maps an internal link to its URL; it is the markdown.Resolver of lessons and questions.
func (c *Catalog) resolve(kind, id string) (string, bool) {
	switch kind {
	case "lesson":
		if l := c.lessonByID[id]; l != nil {
			return l.URL(), true
		}
	case "question":
		if q := c.questionByID[id]; q != nil {
			return q.URL(), true
		}
	case "lab":
		if l := c.labByID[id]; l != nil {
			return l.URL(), true
		}
	case "domain":
		if d := c.domainByID[id]; d != nil {
			return d.URL(), true
		}
	}
	return "", false
}

// URL is the domain's page.
func (d *Domain) URL() string { return "/domains/" + d.ID }

// Markdown is the renderer the catalog uses; other packages render with the same settings.
func (c *Catalog) Markdown() *markdown.Renderer { return c.md }

// Domain returns the domain with the given id, or nil.
func (c *Catalog) Domain(id string) *Domain { return c.domainByID[id] }

// Competency returns the competency with the given id, or nil.
func (c *Catalog) Competency(id string) *Competency { return c.competencyByID[id] }

// CompetencyByPrefix returns the competency whose questions use the prefix, or nil.
func (c *Catalog) CompetencyByPrefix(prefix string) *Competency { return c.competencyByPrefix[prefix] }

// Lesson returns the lesson with the given id, or nil.
func (c *Catalog) Lesson(id string) *Lesson { return c.lessonByID[id] }

// Question returns the question with the given id, or nil.
func (c *Catalog) Question(id string) *Question { return c.questionByID[id] }

// Lab returns the lab with the given id, or nil.
func (c *Catalog) Lab(id string) *Lab { return c.labByID[id] }

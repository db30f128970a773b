package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/check"
	"github.com/kcnaprep/kcnaprep/internal/labapp"
	"go.yaml.in/yaml/v3"
)

// labFile is lab.yaml.
type labFile struct {
	ID           string     `yaml:"id"`
	Title        string     `yaml:"title"`
	Summary      string     `yaml:"summary"`
	Domain       string     `yaml:"domain"`
	Competencies []string   `yaml:"competencies"`
	Minutes      int        `yaml:"minutes"`
	Scope        string     `yaml:"scope"`
	Intro        string     `yaml:"intro"`
	Images       []string   `yaml:"images"`
	Setup        []string   `yaml:"setup"`
	Tasks        []taskFile `yaml:"tasks"`
}

type taskFile struct {
	ID     string       `yaml:"id"`
	Title  string       `yaml:"title"`
	Text   string       `yaml:"text"`
	Hints  []string     `yaml:"hints"`
	Checks []check.Spec `yaml:"checks"`
}

// Limits on bundles.
const (
	MaxIDLength = 24 // lab ids end up in cluster and namespace names
	MinMinutes  = 5
	MaxMinutes  = 90
)

var (
	labappTag     = regexp.MustCompile(regexp.QuoteMeta(labapp.Repository) + `:([A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?)`)
	yamlLineError = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	goType        = regexp.MustCompile(` in type [\w.]+$`)
)

// Loader returns the catalog's lab loader (catalog.WithLabLoader): it reads every labs/<id>/
// folder, hands the catalog what pages show and puts each valid lab's compiled bundle in into.
func Loader(into Bundles) catalog.LabLoader {
	return func(c *catalog.Catalog, fsys fs.FS, report func(file string, line int, msg string)) []*catalog.Lab {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			report("labs", 0, fmt.Sprintf("read labs: %v", err))
			return nil
		}
		var labs []*catalog.Lab
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			l := &loader{cat: c, fsys: fsys, dir: e.Name(), file: "labs/" + e.Name() + "/lab.yaml", report: report}
			if lab, b := l.load(); lab != nil {
				labs = append(labs, lab)
				into[lab.ID] = b
			}
		}
		return labs
	}
}

type loader struct {
	cat    *catalog.Catalog
	fsys   fs.FS
	dir    string
	file   string
	report func(file string, line int, msg string)
	root   *yaml.Node
	bad    bool
}

func (l *loader) add(line int, format string, args ...any) {
	l.bad = true
	l.report(l.file, line, fmt.Sprintf(format, args...))
}

func (l *loader) addFile(file string, line int, format string, args ...any) {
	l.bad = true
	l.report(file, line, fmt.Sprintf(format, args...))
}

// line finds the line of a path in lab.yaml: keys and sequence indexes, e.g.
// line("tasks", 1, "checks", 0, "expect"). It falls back to the deepest node found.
func (l *loader) line(p ...any) int {
	n := l.root
	best := 0
	if n != nil {
		best = n.Line
	}
	for _, step := range p {
		if n == nil {
			break
		}
		switch s := step.(type) {
		case string:
			var next *yaml.Node
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						best, next = n.Content[i].Line, n.Content[i+1]
					}
				}
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || s >= len(n.Content) {
				return best
			}
			n = n.Content[s]
			best = n.Line
		}
	}
	return best
}

// fieldPath turns a check's field ("access.allow[1]", "with.nodes") into a line path.
func fieldPath(field string) []any {
	var out []any
	for _, part := range strings.Split(field, ".") {
		name, idx, ok := strings.Cut(part, "[")
		out = append(out, name)
		if ok {
			if i, err := strconv.Atoi(strings.TrimSuffix(idx, "]")); err == nil {
				out = append(out, i)
			}
		}
	}
	return out
}

func (l *loader) load() (*catalog.Lab, *Bundle) {
	data, err := fs.ReadFile(l.fsys, path.Join(l.dir, "lab.yaml"))
	if err != nil {
		l.add(0, "a lab folder needs lab.yaml: %v", err)
		return nil, nil
	}
	var lf labFile
	if !l.decode(data, &lf) {
		return nil, nil
	}
	lab := &catalog.Lab{ID: lf.ID, Title: strings.TrimSpace(lf.Title), Summary: strings.TrimSpace(lf.Summary),
		Minutes: lf.Minutes, Scope: lf.Scope, File: l.file}
	b := &Bundle{ID: lf.ID, Scope: lf.Scope, Images: lf.Images}
	l.checkHeader(&lf, lab)
	l.loadSetup(&lf, b)
	l.loadTasks(&lf, lab, b)
	l.loadScripts(b)
	for _, m := range labappTag.FindAllSubmatchIndex(data, -1) {
		if tag := string(data[m[2]:m[3]]); tag != labapp.Version {
			l.add(bytes.Count(data[:m[0]], []byte("\n"))+1, "%s:%s: this server builds %s", labapp.Repository, tag, labapp.Image)
		}
	}
	if l.bad {
		return nil, nil
	}
	return lab, b
}

func (l *loader) decode(data []byte, out *labFile) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		l.yamlError(err)
		return false
	}
	if len(root.Content) == 0 {
		l.add(1, "empty lab.yaml")
		return false
	}
	l.root = root.Content[0]
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		l.yamlError(err)
		return false
	}
	return true
}

func (l *loader) yamlError(err error) {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		if g := yamlLineError.FindStringSubmatch(strings.TrimSpace(m)); g != nil {
			n, _ := strconv.Atoi(g[1])
			l.add(n, "%s", goType.ReplaceAllString(g[2], ""))
			continue
		}
		l.add(1, "%s", strings.TrimPrefix(m, "yaml: "))
	}
}

func (l *loader) checkHeader(lf *labFile, lab *catalog.Lab) {
	switch {
	case lf.ID != l.dir:
		l.add(l.line("id"), "id %q must match the folder name %q", lf.ID, l.dir)
	case !check.IsID(lf.ID) || len(lf.ID) > MaxIDLength:
		l.add(l.line("id"), "id %q must be lowercase letters, digits and dashes, at most %d characters", lf.ID, MaxIDLength)
	}
	if lab.Title == "" {
		l.add(l.line("title"), "title is required")
	}
	if lab.Summary == "" || len(lab.Summary) > 160 || strings.Contains(lab.Summary, "\n") {
		l.add(l.line("summary"), "summary is required: one line of at most 160 characters")
	}
	if lf.Minutes < MinMinutes || lf.Minutes > MaxMinutes {
		l.add(l.line("minutes"), "minutes must be %d to %d, got %d", MinMinutes, MaxMinutes, lf.Minutes)
	}
	if lf.Scope != domain.LabScopeNamespace && lf.Scope != domain.LabScopeCluster {
		l.add(l.line("scope"), "scope must be %s or %s, got %q", domain.LabScopeNamespace, domain.LabScopeCluster, lf.Scope)
	}
	lab.Domain = l.cat.Domain(lf.Domain)
	if lab.Domain == nil {
		l.add(l.line("domain"), "domain %q is not in curriculum.yaml", lf.Domain)
	}
	if len(lf.Competencies) == 0 {
		l.add(l.line("competencies"), "at least one competency is required")
	}
	for i, id := range lf.Competencies {
		comp := l.cat.Competency(id)
		switch {
		case comp == nil:
			l.add(l.line("competencies", i), "competency %q is not in curriculum.yaml", id)
		case lab.Domain != nil && comp.Domain != lab.Domain:
			l.add(l.line("competencies", i), "competency %s belongs to domain %s, not %s", id, comp.Domain.ID, lab.Domain.ID)
		default:
			lab.Competencies = append(lab.Competencies, comp)
		}
	}
	for i, img := range lf.Images {
		if msg := imageProblem(img); msg != "" {
			l.add(l.line("images", i), "%s", msg)
		}
	}
	if strings.TrimSpace(lf.Intro) == "" {
		l.add(l.line("intro"), "intro is required: what the learner will do and why it matters")
	} else {
		lab.IntroHTML = l.markdown(lf.Intro, l.line("intro"))
	}
}

func (l *loader) markdown(src string, line int) string {
	doc, err := l.cat.Markdown().Render([]byte(src), l.cat.Resolve)
	if err != nil {
		l.add(line, "markdown: %v", err)
		return ""
	}
	return doc.HTML
}

func (l *loader) loadTasks(lf *labFile, lab *catalog.Lab, b *Bundle) {
	if len(lf.Tasks) == 0 {
		l.add(l.line("tasks"), "a lab needs at least one task")
	}
	taskIDs := map[string]bool{}
	for i, tf := range lf.Tasks {
		at := func(p ...any) int { return l.line(append([]any{"tasks", i}, p...)...) }
		if !check.IsID(tf.ID) {
			l.add(at("id"), "task id %q must be lowercase letters, digits and dashes", tf.ID)
		} else if taskIDs[tf.ID] {
			l.add(at("id"), "duplicate task id %s", tf.ID)
		}
		taskIDs[tf.ID] = true
		if strings.TrimSpace(tf.Title) == "" {
			l.add(at("title"), "task %s has no title", tf.ID)
		}
		if strings.TrimSpace(tf.Text) == "" {
			l.add(at("text"), "task %s has no text", tf.ID)
		}
		if len(tf.Hints) == 0 {
			l.add(at("hints"), "task %s needs at least one hint", tf.ID)
		}
		if len(tf.Checks) == 0 {
			l.add(at("checks"), "task %s needs at least one check", tf.ID)
		}
		task := catalog.LabTask{ID: tf.ID, Title: strings.TrimSpace(tf.Title), HTML: l.markdown(tf.Text, at("text"))}
		for j, h := range tf.Hints {
			task.Hints = append(task.Hints, l.markdown(h, at("hints", j)))
		}
		tc := check.TaskChecks{ID: tf.ID, Title: task.Title}
		checkIDs := map[string]bool{}
		for j, spec := range tf.Checks {
			if checkIDs[spec.ID] {
				l.add(at("checks", j, "id"), "duplicate check id %s in task %s", spec.ID, tf.ID)
			}
			checkIDs[spec.ID] = true
			c, errs := check.Compile(spec)
			for _, e := range errs {
				l.add(at(append([]any{"checks", j}, fieldPath(e.Field)...)...), "%s", e.Msg)
			}
			if c != nil && len(errs) == 0 {
				tc.Checks = append(tc.Checks, c)
				task.Checks = append(task.Checks, catalog.LabCheck{ID: c.ID, Message: strings.TrimSpace(c.Message)})
			}
		}
		lab.Tasks = append(lab.Tasks, task)
		b.Tasks = append(b.Tasks, tc)
	}
}

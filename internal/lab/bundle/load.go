package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/check"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
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

// clusterScopedKinds are kinds a namespace lab's set-up may not create: they would outlive the
// namespace and could not be created with a learner's namespace-only access.
var clusterScopedKinds = []string{"Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole",
	"ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass",
	"CSIDriver", "VolumeAttachment", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "CertificateSigningRequest"}

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

// imageProblem says why an image reference may not be used by a lab, or "".
func imageProblem(img string) string {
	if strings.Contains(img, "@sha256:") {
		return "" // pinned by digest
	}
	name := img
	if i := strings.LastIndex(img, "/"); i >= 0 {
		name = img[i+1:]
	}
	_, tag, ok := strings.Cut(name, ":")
	if !ok || tag == "" || tag == "latest" {
		return fmt.Sprintf("image %q needs an explicit tag other than latest: labs must not depend on what a registry serves today", img)
	}
	return ""
}

func (l *loader) markdown(src string, line int) string {
	doc, err := l.cat.Markdown().Render([]byte(src), l.cat.Resolve)
	if err != nil {
		l.add(line, "markdown: %v", err)
		return ""
	}
	return doc.HTML
}

func (l *loader) loadSetup(lf *labFile, b *Bundle) {
	for i, name := range lf.Setup {
		file := "labs/" + l.dir + "/" + name
		if strings.Contains(name, "..") || path.IsAbs(name) {
			l.add(l.line("setup", i), "set-up file %q must be inside the lab folder", name)
			continue
		}
		data, err := fs.ReadFile(l.fsys, path.Join(l.dir, name))
		if err != nil {
			l.add(l.line("setup", i), "set-up file %s: %v", name, err)
			continue
		}
		b.setup = append(b.setup, setupFile{name: name, data: data})
		docs, err := kube.ParseManifests([]byte(strings.ReplaceAll(string(data), NamespaceVar, "lab-namespace")))
		var me *kube.ManifestError
		if errors.As(err, &me) {
			l.addFile(file, me.Line, "%s", me.Msg)
			continue
		}
		if err != nil {
			l.addFile(file, 0, "%v", err)
			continue
		}
		for _, d := range docs {
			kind := d.Object.GetKind()
			if d.Object.GetNamespace() != "" {
				l.addFile(file, d.Line, "%s %s: leave metadata.namespace out; set-up objects go to the lab's namespace", kind, d.Object.GetName())
			}
			if lf.Scope == domain.LabScopeNamespace && slices.Contains(clusterScopedKinds, kind) {
				l.addFile(file, d.Line, "%s is cluster-scoped: a namespace lab cannot create it (use scope: cluster)", kind)
			}
			for _, c := range containers(d.Object.Object) {
				img, _ := c["image"].(string)
				pull, _ := c["imagePullPolicy"].(string)
				switch {
				case img == "":
					l.addFile(file, d.Line, "%s %s: a container has no image", kind, d.Object.GetName())
				case img != labapp.Image && !slices.Contains(lf.Images, img):
					l.addFile(file, d.Line, "%s %s: image %s is neither %s nor listed under images in lab.yaml", kind, d.Object.GetName(), img, labapp.Image)
				}
				if pull != "IfNotPresent" && pull != "Never" {
					l.addFile(file, d.Line, "%s %s: container %v needs imagePullPolicy: IfNotPresent, so labs work offline", kind, d.Object.GetName(), c["name"])
				}
			}
		}
	}
}

// containers finds every container spec in an object (pods, pod templates, job templates).
func containers(v any) []map[string]any {
	var out []map[string]any
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "containers" || k == "initContainers" {
				if list, ok := val.([]any); ok {
					for _, c := range list {
						if m, ok := c.(map[string]any); ok {
							out = append(out, m)
						}
					}
					continue
				}
			}
			out = append(out, containers(val)...)
		}
	case []any:
		for _, val := range x {
			out = append(out, containers(val)...)
		}
	}
	return out
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

var failsLine = regexp.MustCompile(`(?m)^#\s*fails:\s*(.+)$`)

func (l *loader) loadScripts(b *Bundle) {
	sol, err := fs.ReadFile(l.fsys, path.Join(l.dir, "solution.sh"))
	if err != nil {
		l.addFile("labs/"+l.dir+"/solution.sh", 0, "a lab needs solution.sh: the kubectl commands that solve it")
	} else if !bytes.HasPrefix(sol, []byte("#!")) {
		l.addFile("labs/"+l.dir+"/solution.sh", 1, "solution.sh must start with a #! line")
	}
	b.Solution = sol
	l.eachScript("alternatives", func(file, name string, data []byte) {
		if !bytes.HasPrefix(data, []byte("#!")) {
			l.addFile(file, 1, "an alternative solution must start with a #! line")
			return
		}
		b.Alternatives = append(b.Alternatives, Alternative{Name: name, Script: data})
	})
	l.eachScript("nearmiss", func(file, name string, data []byte) {
		nm := NearMiss{Name: name, Script: data}
		g := failsLine.FindSubmatchIndex(data)
		if g == nil {
			l.addFile(file, 1, "a near miss needs a line \"# fails: TASK/CHECK ...\" naming the checks it must fail")
			return
		}
		line := bytes.Count(data[:g[0]], []byte("\n")) + 1
		for _, ref := range strings.Fields(strings.ReplaceAll(string(data[g[2]:g[3]]), ",", " ")) {
			if b.Check(ref) == nil {
				l.addFile(file, line, "fails: %s is not a check of this lab (write TASK/CHECK)", ref)
			}
			nm.Fails = append(nm.Fails, ref)
		}
		b.NearMisses = append(b.NearMisses, nm)
	})
}

// eachScript calls fn for every script in the bundle's optional directory dir (nearmiss,
// alternatives) with its file name for messages, its name without ".sh" and its contents.
// Anything else in dir is reported.
func (l *loader) eachScript(dir string, fn func(file, name string, data []byte)) {
	entries, err := fs.ReadDir(l.fsys, path.Join(l.dir, dir))
	if err != nil {
		return // the directory is optional
	}
	for _, e := range entries {
		file := "labs/" + l.dir + "/" + dir + "/" + e.Name()
		if e.IsDir() || path.Ext(e.Name()) != ".sh" {
			l.addFile(file, 0, "%s/ holds only .sh scripts", dir)
			continue
		}
		data, err := fs.ReadFile(l.fsys, path.Join(l.dir, dir, e.Name()))
		if err != nil {
			l.addFile(file, 0, "%v", err)
			continue
		}
		fn(file, strings.TrimSuffix(e.Name(), ".sh"), data)
	}
}

package catalog

// Lab is a hands-on lab bundle, labs/<id>/lab.yaml (see labs/README.md). The catalog keeps what
// pages show; the lab engine (internal/lab/bundle) parses and validates the bundle and keeps its
// compiled form (set-up manifests, checks, solution) in its own map, bundle.Bundles.
type Lab struct {
	ID           string
	Title        string
	Summary      string // one line, plain text
	Domain       *Domain
	Competencies []*Competency
	Minutes      int
	Scope        string // "namespace" (runs in a namespace of its own) or "cluster" (needs a cluster of its own)
	IntroHTML    string
	Tasks        []LabTask
	File         string // e.g. labs/deployment-scale/lab.yaml
}

// LabTask is one task of a lab, rendered.
type LabTask struct {
	ID, Title string
	HTML      string
	Hints     []string // rendered HTML, revealed one at a time
	Checks    []LabCheck
}

// LabCheck is what a check requires, in the learner's words.
type LabCheck struct {
	ID, Message string
}

// URL is the lab's page.
func (l *Lab) URL() string { return "/labs/" + l.ID }

// Resolve maps an internal link ("lesson", id) to its URL; lab bundles render their Markdown
// with it, like lessons do.
func (c *Catalog) Resolve(kind, id string) (string, bool) { return c.resolve(kind, id) }

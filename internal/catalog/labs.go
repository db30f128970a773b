package catalog

// Lab is a hands-on lab bundle, labs/<id>/lab.yaml (see labs/README.md).
type Lab struct {
	ID           string
	Title        string
	Domain       *Domain
	Competencies []*Competency
	Minutes      int
	File         string
}

// URL is the lab's page.
func (l *Lab) URL() string { return "/labs/" + l.ID }

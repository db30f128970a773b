// Package app wires kcnaprep together: configuration, content, database, services and HTTP
// server. cmd/server maps flags onto it; end-to-end tests and benchmarks start the same App.
package app

import (
	"github.com/kcnaprep/kcnaprep/content"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/labs"
	"github.com/kcnaprep/kcnaprep/quizzes"
)

// EmbeddedSources is the content compiled into the binary.
func EmbeddedSources() catalog.Sources {
	return catalog.Sources{Content: content.FS, Quizzes: quizzes.FS, Labs: labs.FS}
}

// Sources returns the content in dir, or the embedded content when dir is "".
func Sources(dir string) (catalog.Sources, error) {
	if dir == "" {
		return EmbeddedSources(), nil
	}
	return catalog.DirSources(dir)
}

// Content is loaded content: the catalog (what pages show) and the lab engine's compiled
// bundles (what the lab service runs).
type Content struct {
	Catalog *catalog.Catalog
	Bundles bundle.Bundles
}

// LoadContent loads and validates the content in dir (embedded when dir is "") with both
// loaders, the catalog's and the lab engine's, so "server content check" catches a CEL typo in
// a lab with file and line as well as a broken lesson link.
func LoadContent(dir string) (*Content, error) {
	src, err := Sources(dir)
	if err != nil {
		return nil, err
	}
	return LoadContentFrom(src)
}

// LoadContentFrom loads and validates content from src, like LoadContent.
func LoadContentFrom(src catalog.Sources) (*Content, error) {
	bundles := bundle.Bundles{}
	cat, err := catalog.Load(src, catalog.WithLabLoader(bundle.Loader(bundles)))
	if err != nil {
		return nil, err
	}
	return &Content{Catalog: cat, Bundles: bundles}, nil
}

// LoadCatalog loads and validates the content in dir (embedded when dir is "") and returns its
// catalog.
func LoadCatalog(dir string) (*catalog.Catalog, error) {
	c, err := LoadContent(dir)
	if err != nil {
		return nil, err
	}
	return c.Catalog, nil
}

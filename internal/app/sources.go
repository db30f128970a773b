// Package app wires kcnaprep together: configuration, content, database and HTTP server.
// cmd/server maps flags onto it; end-to-end tests and benchmarks start the same App.
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

// LoadCatalog loads and validates the content in dir (embedded when dir is "").
func LoadCatalog(dir string) (*catalog.Catalog, error) {
	src, err := Sources(dir)
	if err != nil {
		return nil, err
	}
	return catalog.Load(src, catalogOptions()...)
}

// catalogOptions are the options every catalog load uses: the lab engine parses lab bundles and
// compiles their checks, so "server content check" catches a CEL typo with file and line.
func catalogOptions() []catalog.Option { return []catalog.Option{catalog.WithLabLoader(bundle.Loader)} }

// LoadCatalogFrom loads and validates content from src with the options the server uses.
func LoadCatalogFrom(src catalog.Sources) (*catalog.Catalog, error) {
	return catalog.Load(src, catalogOptions()...)
}

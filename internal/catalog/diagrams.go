package catalog

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/diagram"
	"github.com/kcnaprep/kcnaprep/internal/markdown"
)

// DiagramDir is the folder of content/ that holds pre-rendered diagrams, one
// <diagram.Key>.svg per diagram source: laying a diagram out takes a few hundred
// milliseconds, so content ships them rendered and a load renders only what changed.
// `server content diagrams DIR` brings the folder up to date.
const DiagramDir = "diagrams"

// DiagramStats says how the catalog's diagrams were obtained at load.
type DiagramStats struct {
	Diagrams   int           // distinct diagrams in the content
	Cached     int           // read pre-rendered from content/diagrams
	Rendered   int           // laid out and rendered at load (not pre-rendered)
	RenderTime time.Duration // time spent rendering those
}

type diagrams struct {
	fsys  fs.FS
	svg   map[string]string // key -> SVG of every diagram in the content
	stats DiagramStats
}

func (d *diagrams) render(src string) (markdown.Diagram, error) {
	title, desc, err := diagram.Meta(src)
	if err != nil {
		return markdown.Diagram{}, err
	}
	key := diagram.Key(src)
	if svg, ok := d.svg[key]; ok {
		return markdown.Diagram{Title: title, Desc: desc, SVG: svg}, nil
	}
	d.stats.Diagrams++
	if d.fsys != nil {
		if b, err := fs.ReadFile(d.fsys, DiagramDir+"/"+key+".svg"); err == nil && strings.HasPrefix(string(b), "<svg ") {
			d.stats.Cached++
			d.svg[key] = string(b)
			return markdown.Diagram{Title: title, Desc: desc, SVG: string(b)}, nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return markdown.Diagram{}, err
		}
	}
	start := time.Now()
	out, err := diagram.Render(context.Background(), src)
	d.stats.RenderTime += time.Since(start)
	if err != nil {
		return markdown.Diagram{}, err
	}
	d.stats.Rendered++
	d.svg[key] = out.SVG
	return markdown.Diagram{Title: out.Title, Desc: out.Desc, SVG: out.SVG}, nil
}

// DiagramStats reports how the content's diagrams were obtained at load.
func (c *Catalog) DiagramStats() DiagramStats { return c.diagrams.stats }

// DiagramSVGs returns every diagram of the content as file name (<key>.svg) -> SVG, what
// content/diagrams should hold.
func (c *Catalog) DiagramSVGs() map[string]string {
	out := make(map[string]string, len(c.diagrams.svg))
	for k, v := range c.diagrams.svg {
		out[k+".svg"] = v
	}
	return out
}

// StaleDiagramFiles lists the files of content/diagrams that no diagram of the content uses.
func (c *Catalog) StaleDiagramFiles() []string {
	if c.diagrams.fsys == nil {
		return nil
	}
	entries, err := fs.ReadDir(c.diagrams.fsys, DiagramDir)
	if err != nil {
		return nil
	}
	var stale []string
	for _, e := range entries {
		if _, ok := c.diagrams.svg[strings.TrimSuffix(e.Name(), ".svg")]; !ok || !strings.HasSuffix(e.Name(), ".svg") {
			stale = append(stale, e.Name())
		}
	}
	slices.Sort(stale)
	return stale
}

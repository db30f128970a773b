package httpserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/markdown"
	"github.com/kcnaprep/kcnaprep/web/static"
)

// assets serves the embedded static files. URLs carry a content hash (?v=), so browsers may
// cache them forever; a request with a stale or missing hash is served but not cached.
type assets struct {
	files map[string]asset
}

type asset struct {
	data        []byte
	hash        string
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		a.add(p, data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	css, err := markdown.HighlightCSS()
	if err != nil {
		return nil, err
	}
	a.add("highlight.css", css)
	return a, nil
}

func (a *assets) add(name string, data []byte) {
	sum := sha256.Sum256(data)
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	a.files[name] = asset{data: data, hash: hex.EncodeToString(sum[:])[:12], contentType: ct}
}

// URL returns the versioned URL of a static file.
func (a *assets) URL(name string) string {
	f, ok := a.files[name]
	if !ok {
		panic("httpserver: no static asset " + name) // a typo in code, caught by any page test
	}
	return "/static/" + name + "?v=" + f.hash
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", `"`+f.hash+`"`)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

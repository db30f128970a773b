package httpserver

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"

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
	// Compressed forms of text files, made on first demand (brotli at its best quality costs
	// tens of milliseconds a file: not at start-up). nil for files that do not compress.
	gzip, brotli *lazyBytes
}

// lazyBytes is a value computed once, on first use.
type lazyBytes struct {
	once sync.Once
	make func() []byte
	b    []byte
}

func (l *lazyBytes) get() []byte {
	l.once.Do(func() { l.b = l.make() })
	return l.b
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
	f := asset{data: data, hash: hex.EncodeToString(sum[:])[:12], contentType: ct}
	if compressible(ct) {
		f.gzip = &lazyBytes{make: func() []byte {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(data)
			_ = zw.Close()
			return smaller(buf.Bytes(), data)
		}}
		f.brotli = &lazyBytes{make: func() []byte {
			var buf bytes.Buffer
			bw := brotli.NewWriterLevel(&buf, brotli.BestCompression)
			_, _ = bw.Write(data)
			_ = bw.Close()
			return smaller(buf.Bytes(), data)
		}}
	}
	a.files[name] = f
}

// compressible reports whether a content type is text worth compressing (fonts and images
// other than SVG are compressed already).
func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "svg") || strings.Contains(ct, "json")
}

// smaller returns packed if it saves at least a tenth of plain, else nil (serve plain).
func smaller(packed, plain []byte) []byte {
	if len(packed) > len(plain)*9/10 {
		return nil
	}
	return packed
}

// acceptsEncoding reports whether an Accept-Encoding header accepts coding (RFC 9110 12.5.3;
// q=0 refuses it, and "*" stands for any coding not named).
func acceptsEncoding(header, coding string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		refused := false
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q == 0 {
					refused = true
				}
			}
		}
		switch name {
		case coding:
			return !refused
		case "*":
			star = !refused
		}
	}
	return star
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
	body, tag := f.data, f.hash
	if f.gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		ae := r.Header.Get("Accept-Encoding")
		if b := f.brotli.get(); b != nil && acceptsEncoding(ae, "br") {
			body, tag = b, f.hash+"-br"
			h.Set("Content-Encoding", "br")
		} else if b := f.gzip.get(); b != nil && acceptsEncoding(ae, "gzip") {
			body, tag = b, f.hash+"-gz"
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", `"`+tag+`"`)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

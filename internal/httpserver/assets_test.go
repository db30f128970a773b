package httpserver_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// Static text files are served brotli- or gzip-compressed to clients that accept it, plain to
// the rest, each form with its own ETag and Vary: Accept-Encoding (issue 15, point 2).
func TestStaticAssetsPrecompressed(t *testing.T) {
	e := newEnv(t, nil)
	d := e.doc("/", 200)
	js := d.Find(`script[src^="/static/vendor/htmx.min.js"]`).AttrOr("src", "")
	if js == "" {
		t.Fatal("no htmx script on the dashboard")
	}
	plainResp := e.do("GET", js, nil, map[string]string{"Accept-Encoding": "identity"})
	plain, _ := io.ReadAll(plainResp.Body)
	if plainResp.Header.Get("Content-Encoding") != "" || len(plain) < 10000 {
		t.Fatalf("identity: encoding %q, %d bytes", plainResp.Header.Get("Content-Encoding"), len(plain))
	}
	tags := map[string]string{"": plainResp.Header.Get("ETag")}
	for _, tc := range []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0.5", "gzip"},
		{"*", "br"},
		{"gzip;q=0, br;q=0", ""},
		{"*;q=0", ""},
		{"deflate", ""},
	} {
		r := e.do("GET", js, nil, map[string]string{"Accept-Encoding": tc.accept})
		body, _ := io.ReadAll(r.Body)
		if got := r.Header.Get("Content-Encoding"); got != tc.want || r.StatusCode != 200 {
			t.Errorf("Accept-Encoding %q: %d Content-Encoding %q, want %q", tc.accept, r.StatusCode, got, tc.want)
			continue
		}
		if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("Accept-Encoding %q: Vary %q Cache-Control %q", tc.accept, r.Header.Get("Vary"), r.Header.Get("Cache-Control"))
		}
		var dec io.Reader = bytes.NewReader(body)
		switch tc.want {
		case "br":
			dec = brotli.NewReader(dec)
		case "gzip":
			zr, err := gzip.NewReader(dec)
			if err != nil {
				t.Fatal(err)
			}
			dec = zr
		}
		got, err := io.ReadAll(dec)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Accept-Encoding %q: decoded %d bytes (%v), want the %d plain bytes", tc.accept, len(got), err, len(plain))
		}
		if tc.want != "" && len(body) > len(plain)/2 {
			t.Errorf("%s: %d bytes of %d: hardly compressed", tc.want, len(body), len(plain))
		}
		if prev, ok := tags[tc.want]; ok && prev != r.Header.Get("ETag") {
			t.Errorf("%s: ETag %s, before %s", tc.want, r.Header.Get("ETag"), prev)
		}
		tags[tc.want] = r.Header.Get("ETag")
	}
	if tags[""] == tags["br"] || tags[""] == tags["gzip"] || tags["br"] == tags["gzip"] {
		t.Errorf("one ETag for different encodings: %v", tags)
	}
	r := e.do("GET", js, nil, map[string]string{"Accept-Encoding": "br", "If-None-Match": tags["br"]})
	if r.StatusCode != 304 {
		t.Errorf("revalidating the brotli form: %d", r.StatusCode)
	}
	// Fonts are compressed already: served as they are.
	if r := e.do("GET", "/static/fonts/SourceSansPro-Regular.woff2", nil, map[string]string{"Accept-Encoding": "gzip, br"}); r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("font: %d Content-Encoding %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
}

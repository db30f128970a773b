package labimage_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/labapp"
)

func TestArchiveBuildsLabappImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds labapp with the Go toolchain")
	}
	b := labimage.New(labimage.WithCacheDir(t.TempDir()))
	data, err := b.Archive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A docker-archive: manifest.json names the tag the nodes will know the image by.
	tr := tar.NewReader(bytes.NewReader(data))
	var manifest []struct{ RepoTags []string }
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "manifest.json" {
			if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(manifest) != 1 || len(manifest[0].RepoTags) != 1 || manifest[0].RepoTags[0] != labapp.Image {
		t.Fatalf("manifest = %+v", manifest)
	}
	img, err := tarball.Image(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH || cf.Config.Entrypoint[0] != "/labapp" ||
		cf.Config.User != "65532:65532" || cf.Config.Labels["org.opencontainers.image.version"] != labapp.Version {
		t.Errorf("config = %+v", cf.Config)
	}
	// Same binary, same digest: the image is reproducible.
	bin, err := b.Binary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i1, _ := labimage.Image(bin, runtime.GOARCH)
	i2, _ := labimage.Image(bin, runtime.GOARCH)
	d1, _ := i1.Digest()
	d2, _ := i2.Digest()
	if d1 != d2 {
		t.Errorf("digests differ: %s %s", d1, d2)
	}
}

func TestBinaryMustBeLinuxForNodeArch(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "labapp")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := labimage.New(labimage.WithBinary(script)).Binary(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not a Linux executable") {
		t.Errorf("script accepted: %v", err)
	}
	exe, err := os.Executable() // this test binary: an ELF file for the host
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		if _, err := labimage.New(labimage.WithBinary(exe)).Binary(context.Background()); err != nil {
			t.Errorf("host ELF rejected: %v", err)
		}
	}
}

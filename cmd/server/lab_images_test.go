package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
)

// TestLabImagesPush runs "server lab images push" against go-containerregistry's registry
// (in this process, over HTTP on loopback), then pulls both manifests back: the lab image and
// the toolbox image are there, under the registry's name, with the digests of the images the
// server builds for kind nodes.
func TestLabImagesPush(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the labapp with the Go toolchain")
	}
	if err := toolbox.New(toolbox.WithBusybox(labtest.ToolboxBusybox())).Available(); err != nil {
		t.Skipf("no toolbox image can be built here (KCNAPREP_TOOLBOX_BUSYBOX, kubectl on PATH): %v", err)
	}
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://") + "/class"
	dataDir := t.TempDir()
	env := []string{"KCNAPREP_DATA_DIR=" + dataDir, "KCNAPREP_TOOLBOX_BUSYBOX=" + labtest.ToolboxBusybox()}
	out, errOut, code := runBin(t, env, "lab", "images", "push", reg)
	if code != 0 {
		t.Fatalf("lab images push: exit %d\n%s%s", code, out, errOut)
	}
	// What the server would load into kind nodes, built the same way in this process.
	images, err := app.LabImages(context.Background(), app.Config{DataDir: dataDir, ToolboxBusybox: labtest.ToolboxBusybox()},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 2 || !strings.Contains(images[0].Ref.String(), "labapp") || !strings.Contains(images[1].Ref.String(), "toolbox") {
		t.Fatalf("images = %+v", images)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want a line per image:\n%s", out)
	}
	for i, im := range images {
		want, err := im.Image.Digest()
		if err != nil {
			t.Fatal(err)
		}
		target := reg + "/" + im.Ref.RepositoryStr() + ":" + im.Ref.TagStr()
		if f := strings.Split(lines[i], "\t"); len(f) != 3 || f[0] != im.Ref.String() || f[1] != target || f[2] != want.String() {
			t.Errorf("line %d = %q, want %s -> %s %s", i, lines[i], im.Ref, target, want)
		}
		ref, err := name.ParseReference(target)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Get(ref)
		if err != nil {
			t.Fatalf("pull back %s: %v", target, err)
		}
		if desc.Digest != want {
			t.Errorf("%s: registry has %s, the server builds %s", target, desc.Digest, want)
		}
	}
	// Usage errors say how to call it.
	for _, args := range [][]string{{"lab", "images"}, {"lab", "images", "push"}, {"lab", "images", "pull", reg}} {
		_, errOut, code := runBin(t, env, args...)
		if code == 0 || !strings.Contains(errOut, "usage: lab images push REGISTRY") {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
}

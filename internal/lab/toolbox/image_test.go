package toolbox

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageLayout builds the image from two stand-in files and reads its one layer back: the
// binaries, the applet links, the learner's user, and the environment that makes kubectl edit
// open vi.
func TestImageLayout(t *testing.T) {
	dir := t.TempDir()
	kubectl, busybox := filepath.Join(dir, "kubectl"), filepath.Join(dir, "busybox")
	for _, p := range []string{kubectl, busybox} {
		if err := os.WriteFile(p, []byte("binary "+filepath.Base(p)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	img, digest, err := Image(kubectl, busybox, []string{"bin/sh", "bin/vi", "usr/bin/less", "usr/bin/wget"}, "amd64", "v1.37.2")
	if err != nil {
		t.Fatal(err)
	}
	again, digest2, err := Image(kubectl, busybox, []string{"bin/sh", "bin/vi", "usr/bin/less", "usr/bin/wget"}, "amd64", "v1.37.2")
	if err != nil || digest != digest2 {
		t.Fatalf("same inputs, digests %s and %s (%v)", digest, digest2, err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("image not reproducible: %s vs %s", d1, d2)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]*tar.Header{}
	contents := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
		b, _ := io.ReadAll(tr)
		contents[h.Name] = string(b)
	}
	if contents["usr/local/bin/kubectl"] != "binary kubectl" || files["usr/local/bin/kubectl"].Mode&0o111 == 0 {
		t.Errorf("kubectl missing or not executable: %+v", files["usr/local/bin/kubectl"])
	}
	for _, a := range []string{"bin/sh", "bin/vi", "usr/bin/less", "usr/bin/wget"} {
		if h := files[a]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "/bin/busybox" {
			t.Errorf("applet %s: %+v", a, h)
		}
	}
	if !strings.Contains(contents["etc/passwd"], "learner:x:1000:1000:learner:/home/learner:/bin/sh") {
		t.Errorf("passwd: %q", contents["etc/passwd"])
	}
	if h := files["tmp/"]; h == nil || h.Mode != 0o1777 {
		t.Errorf("tmp: %+v", h)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "1000:1000" || cf.Architecture != "amd64" {
		t.Errorf("user %q arch %q", cf.Config.User, cf.Architecture)
	}
	env := strings.Join(cf.Config.Env, " ")
	for _, want := range []string{"KUBE_EDITOR=vi", "EDITOR=vi", "HOME=/home/learner", "ENV=/etc/profile"} {
		if !strings.Contains(env, want) {
			t.Errorf("env %q lacks %s", env, want)
		}
	}
}

// TestCheckStatic refuses what would fail in a Pod with no libc: a dynamically linked binary
// (this test's own executable is one when built with cgo; /bin/ls on Debian always is), or a
// file that is no executable at all.
func TestCheckStatic(t *testing.T) {
	if err := checkStatic("/bin/ls", "amd64"); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		if _, statErr := os.Stat("/bin/ls"); statErr == nil {
			t.Errorf("/bin/ls accepted as static: %v", err)
		}
	}
	notELF := filepath.Join(t.TempDir(), "kubectl")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := checkStatic(notELF, "amd64"); err == nil {
		t.Error("a shell script accepted as the toolbox's kubectl")
	}
	b := New(WithKubectl(notELF), WithBusybox(notELF))
	if err := b.Available(); err == nil {
		t.Error("Available with unusable binaries")
	}
}

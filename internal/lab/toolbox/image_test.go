package toolbox

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"k8s.io/client-go/tools/clientcmd"
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
	if contents[strings.TrimPrefix(StartPath, "/")] != StartScript || configFile(t, img).Config.Entrypoint[1] != StartPath {
		t.Errorf("start script missing or not the entrypoint")
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

func configFile(t *testing.T, img v1.Image) *v1.ConfigFile {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cf
}

// TestStartScriptWritesKubeconfig runs the toolbox's start script with a real sh against a
// fake ServiceAccount directory: the kubeconfig it writes reaches the in-cluster API server
// with the token file, the CA and the namespace preset, and a learner's own kubeconfig is left
// alone.
func TestStartScriptWritesKubeconfig(t *testing.T) {
	dir := t.TempDir()
	sa, home := filepath.Join(dir, "sa"), filepath.Join(dir, "home")
	if err := os.MkdirAll(sa, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"token": "t0k3n", "ca.crt": "CA", "namespace": "kcnaprep-x-u1-probes"} {
		if err := os.WriteFile(filepath.Join(sa, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(host string) {
		t.Helper()
		cmd := exec.Command("sh", "-c", StartScript, "sh", "once")
		cmd.Env = []string{"HOME=" + home, "KCNAPREP_SA_DIR=" + sa, "KUBERNETES_SERVICE_HOST=" + host, "KUBERNETES_SERVICE_PORT=6443", "PATH=" + os.Getenv("PATH")}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("start script: %v\n%s", err, out)
		}
	}
	run("fd00::1")
	cfg, err := clientcmd.LoadFromFile(filepath.Join(home, ".kube", "config"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := cfg.Contexts[cfg.CurrentContext]
	if ctx == nil || ctx.Namespace != "kcnaprep-x-u1-probes" {
		t.Fatalf("context %+v", ctx)
	}
	if c := cfg.Clusters[ctx.Cluster]; c == nil || c.Server != "https://[fd00::1]:6443" || c.CertificateAuthority != filepath.Join(sa, "ca.crt") {
		t.Errorf("cluster %+v", c)
	}
	if u := cfg.AuthInfos[ctx.AuthInfo]; u == nil || u.TokenFile != filepath.Join(sa, "token") {
		t.Errorf("user %+v", u)
	}
	// A kubeconfig is there (the learner's, perhaps edited): it stays as it is.
	if err := os.WriteFile(filepath.Join(home, ".kube", "config"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("10.96.0.1")
	if b, _ := os.ReadFile(filepath.Join(home, ".kube", "config")); string(b) != "mine" {
		t.Errorf("the learner's kubeconfig was replaced: %q", b)
	}
}

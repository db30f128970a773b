package toolbox

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Image builds the toolbox image: busybox at /bin/busybox with its applets linked, kubectl at
// /usr/local/bin/kubectl, a learner user (UID) with HOME at Home. It returns the image and a
// digest of its inputs. Timestamps are zero: the same binaries always give the same image.
func Image(kubectl, busybox string, applets []string, arch, kubever string) (v1.Image, string, error) {
	kdata, err := os.ReadFile(kubectl)
	if err != nil {
		return nil, "", fmt.Errorf("read kubectl: %w", err)
	}
	bdata, err := os.ReadFile(busybox)
	if err != nil {
		return nil, "", fmt.Errorf("read busybox: %w", err)
	}
	type entry struct {
		hdr  tar.Header
		data []byte
	}
	dirs := map[string]bool{}
	var entries []entry
	dir := func(p string, mode int64) {
		for _, d := range parents(p) {
			if !dirs[d] {
				dirs[d] = true
				entries = append(entries, entry{tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755}, nil})
			}
		}
		if !dirs[p] {
			dirs[p] = true
			entries = append(entries, entry{tar.Header{Name: p + "/", Typeflag: tar.TypeDir, Mode: mode}, nil})
		}
	}
	file := func(p string, mode int64, data []byte) {
		for _, d := range parents(p) {
			dir(d, 0o755)
		}
		entries = append(entries, entry{tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: mode}, data})
	}
	dir("tmp", 0o1777)
	dir("home/learner", 0o755)
	dir("root", 0o700)
	file("bin/busybox", 0o755, bdata)
	file("usr/local/bin/kubectl", 0o755, kdata)
	file("etc/passwd", 0o644, fmt.Appendf(nil, "root:x:0:0:root:/root:/bin/sh\nlearner:x:%d:%d:learner:%s:/bin/sh\n", UID, UID, Home))
	file("etc/group", 0o644, fmt.Appendf(nil, "root:x:0:\nlearner:x:%d:\n", UID))
	file("etc/profile", 0o644, []byte(profile))
	file(strings.TrimPrefix(StartPath, "/"), 0o755, []byte(StartScript))
	for _, a := range applets {
		for _, d := range parents(a) {
			dir(d, 0o755)
		}
		entries = append(entries, entry{tar.Header{Name: a, Typeflag: tar.TypeSymlink, Linkname: "/bin/busybox", Mode: 0o777}, nil})
	}
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.hdr.Name] {
			continue
		}
		seen[e.hdr.Name] = true
		e.hdr.Size = int64(len(e.data))
		e.hdr.ModTime = time.Unix(0, 0)
		e.hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, "", fmt.Errorf("toolbox layer: %w", err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, "", fmt.Errorf("toolbox layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", fmt.Errorf("toolbox layer: %w", err)
	}
	raw := layer.Bytes()
	sum := sha256.Sum256(raw)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
	if err != nil {
		return nil, "", fmt.Errorf("toolbox layer: %w", err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return nil, "", fmt.Errorf("toolbox image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, "", fmt.Errorf("toolbox image config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	// The container writes the kubeconfig and keeps the Pod alive; shells are exec'd into it.
	cf.Config.Entrypoint = []string{"/bin/sh", StartPath}
	cf.Config.User = fmt.Sprintf("%d:%d", UID, UID)
	cf.Config.WorkingDir = Home
	cf.Config.Env = Env()
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title": "kcnaprep-toolbox",
		"dev.kcnaprep.kubectl":           kubever,
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, "", fmt.Errorf("toolbox image config: %w", err)
	}
	return img, hex.EncodeToString(sum[:]), nil
}

// Env is the toolbox's environment: kubectl edit opens vi, pagers are less, shells read the
// profile.
func Env() []string {
	return []string{"PATH=/usr/local/bin:/bin:/usr/bin:/sbin:/usr/sbin", "HOME=" + Home, "USER=learner",
		"EDITOR=vi", "KUBE_EDITOR=vi", "PAGER=less", "TERM=xterm-256color", "ENV=/etc/profile", "LANG=C.UTF-8"}
}

// parents lists the directories above p ("a/b/c" gives "a", "a/b").
func parents(p string) []string {
	var out []string
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		out = append([]string{d}, out...)
	}
	return out
}

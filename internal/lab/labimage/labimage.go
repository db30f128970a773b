// Package labimage builds the labs' workload image, kcnaprep.local/labapp:<version>, in Go with
// go-containerregistry: one layer holding the static labapp binary, no base image, no registry.
// The kind backend loads the resulting archive into every node it creates.
//
// The server has no Go toolchain at run time in production, so the binary is found, in order:
//  1. at the path given with WithBinary (flag --labapp-binary, env KCNAPREP_LABAPP_BINARY);
//  2. next to the running executable, as "labapp" (make build and the Dockerfile put it there);
//  3. built with "go build" into the cache directory, when a Go toolchain and this module's
//     source are at hand (go run, go test, a developer checkout).
package labimage

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/kcnaprep/kcnaprep/internal/labapp"
)

// Package is the Go package of the labapp program, built when no binary is provided.
const Package = "github.com/kcnaprep/kcnaprep/cmd/labapp"

// Builder finds the labapp binary and builds its image archive once per process.
type Builder struct {
	binary   string // explicit binary path, or ""
	cacheDir string // where go build puts the binary
	arch     string // GOARCH of the nodes
	logger   *slog.Logger

	mu      sync.Mutex
	archive []byte
}

// Option configures a Builder.
type Option func(*Builder)

// WithBinary uses the labapp binary at path instead of searching for one.
func WithBinary(path string) Option { return func(b *Builder) { b.binary = path } }

// WithCacheDir sets where a labapp built with the Go toolchain is kept.
func WithCacheDir(dir string) Option { return func(b *Builder) { b.cacheDir = dir } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(b *Builder) { b.logger = l } }

// New returns a Builder for images of the host's architecture (kind nodes run on the host).
func New(opts ...Option) *Builder {
	b := &Builder{arch: runtime.GOARCH, logger: slog.Default(), cacheDir: filepath.Join(os.TempDir(), "kcnaprep-labapp")}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Ref is the image reference.
func Ref() name.Tag { return name.MustParseReference(labapp.Image).(name.Tag) }

// ImageRef is the image's reference (kind.NamedImage: a node that has it is not loaded again).
func (b *Builder) ImageRef(context.Context) (string, error) { return labapp.Image, nil }

// Image returns the image, building it on first use (for pushing to a registry).
func (b *Builder) Image(ctx context.Context) (Named, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bin, err := b.Binary(ctx)
	if err != nil {
		return Named{}, err
	}
	img, err := Image(bin, b.arch)
	if err != nil {
		return Named{}, err
	}
	return Named{Ref: Ref(), Image: img}, nil
}

// Archive returns the image as a docker-archive tarball (what "docker save" writes and
// "ctr images import" reads), building it on first use.
func (b *Builder) Archive(ctx context.Context) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.archive != nil {
		return b.archive, nil
	}
	bin, err := b.Binary(ctx)
	if err != nil {
		return nil, err
	}
	img, err := Image(bin, b.arch)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tarball.Write(Ref(), img, &buf); err != nil {
		return nil, fmt.Errorf("write %s archive: %w", labapp.Image, err)
	}
	b.archive = buf.Bytes()
	return b.archive, nil
}

// Binary returns the path of a labapp binary for linux/<arch>, finding or building it.
func (b *Builder) Binary(ctx context.Context) (string, error) {
	if b.binary != "" {
		return b.binary, checkBinary(b.binary, b.arch)
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "labapp")
		if _, err := os.Stat(p); err == nil {
			return p, checkBinary(p, b.arch)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("no labapp binary: none next to the server and no Go toolchain to build one; " +
			"build it (make build) or pass --labapp-binary")
	}
	out := filepath.Join(b.cacheDir, fmt.Sprintf("labapp-%s-linux-%s", labapp.Version, b.arch))
	if err := os.MkdirAll(b.cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("labapp cache dir: %w", err)
	}
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", out, Package)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+b.arch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("no labapp binary, and go build %s failed (run the server from its module, or pass --labapp-binary): %v: %s",
			Package, err, strings.TrimSpace(string(msg)))
	}
	b.logger.Debug("built labapp", "path", out, "ms", time.Since(t0).Milliseconds())
	return out, checkBinary(out, b.arch)
}

var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM,
	"386": elf.EM_386, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV}

// checkBinary makes sure path is a Linux executable for arch: a labapp built for the wrong
// platform would only show up as pods failing with "exec format error".
func checkBinary(path, arch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("labapp binary %s: not a Linux executable: %w", path, err)
	}
	defer f.Close()
	if want, ok := elfMachine[arch]; ok && f.Machine != want {
		return fmt.Errorf("labapp binary %s is built for %s, the nodes need linux/%s", path, f.Machine, arch)
	}
	return nil
}

// Image builds the labapp image from the binary: no base image, the binary at /labapp, an empty
// /tmp and /config, running as an unprivileged user. Timestamps are zero so that the same binary
// always gives the same image digest.
func Image(binary, arch string) (v1.Image, error) {
	data, err := os.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("read labapp binary: %w", err)
	}
	files := []File{
		{Name: "config/", Mode: 0o755},
		{Name: "tmp/", Mode: 0o1777},
		{Name: "etc/", Mode: 0o755},
		{Name: "etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0:root:/:/labapp\nlabapp:x:65532:65532:labapp:/tmp:/labapp\n")},
		{Name: "etc/group", Mode: 0o644, Data: []byte("root:x:0:\nlabapp:x:65532:\n")},
		{Name: "labapp", Mode: 0o755, Data: data},
	}
	return Static(files, arch, func(c *v1.Config) {
		c.Entrypoint = []string{"/labapp"}
		c.Cmd = []string{"serve"}
		c.User = "65532:65532"
		c.WorkingDir = "/tmp"
		c.Env = []string{"PORT=8080", "CONFIG_DIR=/config"}
		c.ExposedPorts = map[string]struct{}{"8080/tcp": {}}
		c.Labels = map[string]string{
			"org.opencontainers.image.title":   "labapp",
			"org.opencontainers.image.version": labapp.Version,
			"org.opencontainers.image.source":  "https://github.com/kcnaprep/kcnaprep/tree/main/cmd/labapp",
		}
	})
}

// File is an entry of a Static image's one layer: a directory when Name ends in "/".
type File struct {
	Name string
	Mode int64
	Data []byte
}

// Static builds a one-layer image of files, with no base image, for linux/arch; configure fills
// in the run configuration (entrypoint, user, ...). Timestamps are zero, so the same files
// always give the same digest. The labapp image and the server's own image for the Helm
// chart's test (deploy/helm) are built this way.
func Static(files []File, arch string, configure func(*v1.Config)) (v1.Image, error) {
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for _, f := range files {
		hdr := tar.Header{Name: f.Name, Typeflag: tar.TypeReg, Mode: f.Mode, Size: int64(len(f.Data)),
			ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if strings.HasSuffix(f.Name, "/") {
			hdr.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			return nil, fmt.Errorf("image layer: %w", err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("image layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("image layer: %w", err)
	}
	raw := layer.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
	if err != nil {
		return nil, fmt.Errorf("image layer: %w", err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	configure(&cf.Config)
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	return img, nil
}

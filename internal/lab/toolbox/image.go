// Package toolbox is the learner's shell inside the lab: an image built in Go from a static
// busybox (sh, vi, less, wget, ...) and a kubectl, with no base image and no registry (like
// labimage); a Pod per session that runs it as the learner's own ServiceAccount in the lab's
// namespace; and exec into that Pod through the API server (client-go remotecommand), which
// the browser terminal and "server lab exec" share. Nothing runs on the server host for the
// learner.
//
// The binaries are found, in order: the paths given with WithKubectl and WithBusybox (flags
// --toolbox-kubectl and --toolbox-busybox); "kubectl" and "busybox" next to the running
// executable; then on PATH (and /bin/busybox, Debian's busybox-static). Both must be static
// Linux executables for the nodes' architecture.
package toolbox

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Repository is the toolbox image's name; its tag is derived from the binaries' content, so a
// new kubectl or busybox gives a new tag and nodes never run a stale toolbox.
const Repository = "kcnaprep.local/toolbox"

// UID is the learner's user id inside the toolbox.
const UID = 1000

// Home is the learner's home directory in the toolbox (an emptyDir: files survive reconnects).
const Home = "/home/learner"

// Builder finds the binaries and builds the toolbox image archive once per process.
type Builder struct {
	kubectl, busybox string // explicit paths, or ""
	arch             string
	logger           *slog.Logger

	mu      sync.Mutex
	img     v1.Image
	ref     name.Tag
	kubever string
	archive []byte
}

// Option configures a Builder.
type Option func(*Builder)

// WithKubectl uses the kubectl binary at path.
func WithKubectl(path string) Option { return func(b *Builder) { b.kubectl = path } }

// WithBusybox uses the static busybox binary at path.
func WithBusybox(path string) Option { return func(b *Builder) { b.busybox = path } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(b *Builder) { b.logger = l } }

// New returns a Builder for images of the host's architecture (kind nodes run on the host).
func New(opts ...Option) *Builder {
	b := &Builder{arch: runtime.GOARCH, logger: slog.Default()}
	for _, o := range opts {
		o(b)
	}
	return b
}

// find returns the binary named name: the explicit path, next to the executable, on PATH, or
// in one of the extra places.
func find(explicit, name string, extra ...string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	var tried []string
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	tried = append(tried, "$PATH")
	for _, p := range extra {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("no %s binary for the lab toolbox (looked in %s)", name, strings.Join(tried, ", "))
}

// Ref builds the image if needed and returns its reference.
func (b *Builder) Ref(ctx context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.build(ctx); err != nil {
		return "", err
	}
	return b.ref.String(), nil
}

// ImageRef is Ref (kind.NamedImage).
func (b *Builder) ImageRef(ctx context.Context) (string, error) { return b.Ref(ctx) }

// KubectlVersion is the packed kubectl's version ("v1.37.2"), once built.
func (b *Builder) KubectlVersion(ctx context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.build(ctx); err != nil {
		return "", err
	}
	return b.kubever, nil
}

// Image returns the built image and its reference (for pushing to a registry).
func (b *Builder) Image(ctx context.Context) (v1.Image, name.Tag, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.build(ctx); err != nil {
		return nil, name.Tag{}, err
	}
	return b.img, b.ref, nil
}

// Archive returns the image as a docker-archive tarball (what kind loads into nodes).
func (b *Builder) Archive(ctx context.Context) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.archive != nil {
		return b.archive, nil
	}
	if err := b.build(ctx); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tarball.Write(b.ref, b.img, &buf); err != nil {
		return nil, fmt.Errorf("write toolbox image archive: %w", err)
	}
	b.archive = buf.Bytes()
	return b.archive, nil
}

// Available says why the image cannot be built here (a binary missing or unfit), or nil; it
// builds nothing.
func (b *Builder) Available() error {
	_, _, err := b.binaries()
	return err
}

func (b *Builder) binaries() (kubectl, busybox string, err error) {
	kubectl, err = find(b.kubectl, "kubectl")
	if err != nil {
		return "", "", fmt.Errorf("%w; pass --toolbox-kubectl", err)
	}
	busybox, err = find(b.busybox, "busybox", "/bin/busybox", "/usr/bin/busybox")
	if err != nil {
		return "", "", fmt.Errorf("%w; install busybox-static (Debian) or pass --toolbox-busybox", err)
	}
	for _, p := range []string{kubectl, busybox} {
		if err := checkStatic(p, b.arch); err != nil {
			return "", "", err
		}
	}
	return kubectl, busybox, nil
}

func (b *Builder) build(ctx context.Context) error {
	if b.img != nil {
		return nil
	}
	kubectl, busybox, err := b.binaries()
	if err != nil {
		return err
	}
	b.kubever = kubectlVersion(ctx, kubectl)
	applets := appletPaths(ctx, busybox)
	img, digest, err := Image(kubectl, busybox, applets, b.arch, b.kubever)
	if err != nil {
		return err
	}
	tag := "1-" + digest[:12]
	if b.kubever != "" {
		tag = b.kubever + "-" + digest[:12]
	}
	ref, err := name.NewTag(Repository + ":" + tag)
	if err != nil {
		return fmt.Errorf("toolbox image tag: %w", err)
	}
	b.img, b.ref = img, ref
	b.logger.Debug("built toolbox image", "ref", ref.String(), "kubectl", kubectl, "busybox", busybox)
	return nil
}

var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM,
	"386": elf.EM_386, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV}

// checkStatic makes sure path is a statically linked Linux executable for arch: the toolbox has
// no libc, so a dynamic binary would fail in the Pod with a confusing "not found".
func checkStatic(path, arch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("toolbox binary %s: not a Linux executable: %w", path, err)
	}
	defer f.Close()
	if want, ok := elfMachine[arch]; ok && f.Machine != want {
		return fmt.Errorf("toolbox binary %s is built for %s, the nodes need linux/%s", path, f.Machine, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("toolbox binary %s is dynamically linked; the toolbox needs a static one", path)
		}
	}
	return nil
}

// kubectlVersion asks the binary its version when it can run here ("" otherwise).
func kubectlVersion(ctx context.Context, kubectl string) string {
	if runtime.GOOS != "linux" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, kubectl, "version", "--client", "-o", "json").Output()
	if err != nil {
		return ""
	}
	var v struct {
		ClientVersion struct{ GitVersion string } `json:"clientVersion"`
	}
	if json.Unmarshal(out, &v) != nil {
		return ""
	}
	gv := v.ClientVersion.GitVersion
	if i := strings.IndexAny(gv, "-+"); i > 0 {
		gv = gv[:i]
	}
	return gv
}

// essentialApplets are linked when the busybox cannot list its own (built for other nodes).
var essentialApplets = []string{"bin/sh", "bin/ash", "bin/ls", "bin/cat", "bin/cp", "bin/mv", "bin/rm", "bin/mkdir",
	"bin/vi", "bin/grep", "bin/sed", "bin/sleep", "bin/echo", "bin/ps", "bin/hostname", "usr/bin/less",
	"usr/bin/wget", "usr/bin/env", "usr/bin/head", "usr/bin/tail", "usr/bin/wc", "usr/bin/awk", "usr/bin/clear",
	"usr/bin/nc", "usr/bin/nslookup", "usr/bin/base64", "usr/bin/find", "usr/bin/xargs", "usr/bin/tr", "usr/bin/sort",
	"usr/bin/cut", "usr/bin/diff", "usr/bin/id", "usr/bin/whoami", "usr/bin/tee", "usr/bin/touch"}

// appletPaths lists the applets the busybox provides, as paths to link ("bin/sh").
func appletPaths(ctx context.Context, busybox string) []string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, busybox, "--list-full").Output()
	if err != nil {
		return essentialApplets
	}
	var paths []string
	for _, l := range strings.Fields(string(out)) {
		if l = strings.TrimPrefix(l, "/"); l != "" && l != "bin/busybox" && !strings.Contains(l, "..") {
			paths = append(paths, l)
		}
	}
	if !slices.Contains(paths, "bin/sh") {
		return essentialApplets
	}
	return paths
}

// profile is read by every interactive shell (ENV) and login shell: the learner starts at home
// with a prompt that names the namespace.
const profile = `cd "$HOME" 2>/dev/null
NS=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace 2>/dev/null)
PS1='learner@${NS:-lab}:\w\$ '
alias k=kubectl
alias ll='ls -l'
`

// StartScript is the toolbox container's program (at StartPath). It writes the learner's
// kubeconfig, ~/.kube/config, when there is none: the in-cluster API server, the Pod's
// ServiceAccount token and CA, and the namespace preset. kubectl's in-cluster fallback alone
// does not do: flags such as --as (kubectl auth can-i --as=system:serviceaccount:...) or
// --context turn it off, and kubectl then dials localhost:8080. Then it keeps the Pod alive;
// shells are exec'd into it. With "once" it only writes the kubeconfig (tests).
const StartScript = `sa=${KCNAPREP_SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
if [ ! -e "$HOME/.kube/config" ] && [ -r "$sa/token" ] && [ -n "$KUBERNETES_SERVICE_HOST" ]; then
  host=$KUBERNETES_SERVICE_HOST
  case $host in *:*) host="[$host]" ;; esac
  mkdir -p "$HOME/.kube"
  cat > "$HOME/.kube/config.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://$host:${KUBERNETES_SERVICE_PORT:-443}
    certificate-authority: $sa/ca.crt
users:
- name: learner
  user:
    tokenFile: $sa/token
contexts:
- name: lab
  context:
    cluster: lab
    user: learner
    namespace: $(cat "$sa/namespace")
current-context: lab
EOF
  mv "$HOME/.kube/config.tmp" "$HOME/.kube/config"
fi
[ "$1" = once ] && exit 0
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
`

// StartPath is where StartScript is in the image.
const StartPath = "/usr/local/bin/kcnaprep-toolbox"

// Package kind is the lab backend that creates kind clusters on this host with kind's Go
// library (sigs.k8s.io/kind/pkg/cluster), which drives the docker CLI (DOCKER_HOST is honoured).
//
// Each learner gets a cluster of their own, the isolation unit: namespace labs share it, one
// namespace per session, and a cluster lab gets a cluster of its own. API servers listen on
// 127.0.0.1 on a random port; each cluster's kubeconfig lives in the data directory, never in
// ~/.kube/config. Cluster names carry the installation id, so two installations sharing a
// Docker engine never touch each other's clusters.
package kind

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
)

// Prefix starts the name of every cluster kcnaprep creates.
const Prefix = "kcnaprep-"

// ImageSource provides image archives (docker-archive tarballs) to load into new nodes.
type ImageSource interface {
	Archive(ctx context.Context) ([]byte, error)
}

// NamedImage is an ImageSource that knows its reference without building the archive, so a
// node that has it already is not loaded again.
type NamedImage interface {
	ImageRef(ctx context.Context) (string, error)
}

// Backend creates kind clusters.
type Backend struct {
	instance   string // installation id, part of every name
	dir        string // kubeconfig files
	nodeImage  string // "" for kind's default
	images     []ImageSource
	logger     *slog.Logger
	readyWait  time.Duration
	provider   *cluster.Provider
	createSlot chan struct{} // bounds concurrent cluster creations

	mu    sync.Mutex
	locks map[string]*sync.Mutex // per cluster

	clientsMu sync.Mutex
	clients   map[string]cachedClient // admin clients by cluster (clients.go)

	readHost func() HostReadings // preflight's readings (preflight.go)
}

// Option configures the Backend.
type Option func(*Backend)

// WithNodeImage sets the node image ("" keeps kind's default for its version).
func WithNodeImage(img string) Option { return func(b *Backend) { b.nodeImage = img } }

// WithImages adds image archives loaded into every node of every new cluster.
func WithImages(src ...ImageSource) Option {
	return func(b *Backend) { b.images = append(b.images, src...) }
}

// WithLogger sets the logger; kind's own messages go to it at debug level.
func WithLogger(l *slog.Logger) Option { return func(b *Backend) { b.logger = l } }

// WithMaxConcurrentCreates bounds how many clusters are created at once (default 2): creating
// is CPU-heavy, and queueing beats thrashing on a small host.
func WithMaxConcurrentCreates(n int) Option {
	return func(b *Backend) { b.createSlot = make(chan struct{}, max(1, n)) }
}

// WithReadyTimeout bounds the wait for nodes and CoreDNS (default 3 minutes).
func WithReadyTimeout(d time.Duration) Option { return func(b *Backend) { b.readyWait = d } }

// WithHostReadings replaces the preflight's readings of /proc (tests).
func WithHostReadings(read func() HostReadings) Option { return func(b *Backend) { b.readHost = read } }

// New returns a kind backend keeping kubeconfigs in dir. instance is the installation id
// (lowercase letters and digits).
func New(instance, dir string, opts ...Option) *Backend {
	b := &Backend{instance: instance, dir: dir, logger: slog.Default(), readyWait: 3 * time.Minute,
		createSlot: make(chan struct{}, 2), locks: map[string]*sync.Mutex{}, clients: map[string]cachedClient{},
		readHost: func() HostReadings { return ReadHost("/") }}
	for _, o := range opts {
		o(b)
	}
	b.provider = cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(kindLogger{b.logger}))
	return b
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return "kind" }

// Plan implements backend.Backend: the learner's shared cluster for namespace labs, a cluster
// of the session's own for cluster labs; the namespace is named after the lab.
func (b *Backend) Plan(req backend.Request) (backend.Ref, error) {
	name := Prefix + b.instance + "-" + req.Owner
	if req.Scope == domain.LabScopeCluster {
		name += "-" + req.Lab
	}
	if req.Cluster != "" { // the session has its cluster already (pooled, or the learner's)
		if !strings.HasPrefix(req.Cluster, Prefix+b.instance+"-") {
			return backend.Ref{}, fmt.Errorf("cluster %s is not ours", req.Cluster)
		}
		name = req.Cluster
	}
	// kind names node containers <cluster>-control-plane, which must be a valid host name.
	if len(name)+len("-control-plane") > 63 {
		return backend.Ref{}, fmt.Errorf("cluster name %s is too long", name)
	}
	return backend.Ref{Cluster: name, Namespace: "lab-" + req.Lab}, nil
}

func (b *Backend) lock(cluster string) func() {
	b.mu.Lock()
	l := b.locks[cluster]
	if l == nil {
		l = &sync.Mutex{}
		b.locks[cluster] = l
	}
	b.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (b *Backend) kubeconfigPath(cluster string) string {
	return filepath.Join(b.dir, cluster+".kubeconfig")
}

// Provision implements backend.Backend.
func (b *Backend) Provision(ctx context.Context, req backend.Request, progress backend.Progress) (*backend.Env, error) {
	ref, err := b.Plan(req)
	if err != nil {
		return nil, err
	}
	unlock := b.lock(ref.Cluster)
	defer unlock()
	env, err := b.ensureCluster(ctx, ref, progress)
	if err != nil {
		return nil, err
	}
	progress("Create namespace " + ref.Namespace)
	if err := env.Client.EnsureNamespace(ctx, ref.Namespace, b.labels(req)); err != nil {
		return nil, err
	}
	return env, nil
}

func (b *Backend) labels(req backend.Request) map[string]string {
	return map[string]string{kube.LabelManaged: "true", kube.LabelInstance: b.instance,
		kube.LabelSession: req.Session, kube.LabelLab: req.Lab}
}

func (b *Backend) exists(name string) (bool, error) {
	names, err := b.provider.List()
	if err != nil {
		if aerr := b.Available(context.Background()); aerr != nil {
			return false, aerr
		}
		return false, fmt.Errorf("list kind clusters (is Docker running and DOCKER_HOST right?): %w", err)
	}
	return slices.Contains(names, name), nil
}

// Available implements backend.Checker: kind needs the docker CLI and an engine that answers
// it. The error is a domain error whose message tells the learner (often the person running
// the server) what to do, instead of a raw "docker ps" failure.
func (b *Backend) Available(ctx context.Context) error {
	const enable = "To enable labs, install Docker (or start it) so that \"docker info\" works for the user running kcnaprep, then start a lab again; to run kcnaprep without labs, start it with --lab-backend none."
	docker, err := exec.LookPath("docker")
	if err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "Labs need Docker, and this server has no docker command. %s", enable)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, docker, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		b.logger.Warn("docker engine unreachable", "error", err, "output", strings.TrimSpace(string(out)))
		return domain.Errorf(domain.EUNAVAILABLE, "Labs need Docker, and this server cannot reach a Docker engine (is it running, and is DOCKER_HOST right?). %s", enable)
	}
	return nil
}

// create makes a single-node cluster whose API server listens on 127.0.0.1 on a random port,
// writes its kubeconfig to the data dir, and loads our images into the node.
func (b *Backend) create(ctx context.Context, name string, progress backend.Progress) error {
	progress("Wait for a free cluster slot")
	select {
	case b.createSlot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-b.createSlot }()
	progress("Check the host: Docker, memory, inotify limits")
	if err := b.preflight(ctx); err != nil {
		return err
	}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return fmt.Errorf("kubeconfig dir: %w", err)
	}
	progress("Create kind cluster " + name)
	cfg := &v1alpha4.Cluster{
		Nodes:      []v1alpha4.Node{{Role: v1alpha4.ControlPlaneRole}},
		Networking: v1alpha4.Networking{APIServerAddress: "127.0.0.1", APIServerPort: 0},
		// The kubelet's default of 110 Pods per node fills with 27 learners of a
		// three-replica lab on the shared cluster (each also has a toolbox Pod); the node's
		// /24 Pod range holds 250.
		KubeadmConfigPatches: []string{"kind: KubeletConfiguration\nmaxPods: 250\n"},
	}
	opts := []cluster.CreateOption{
		cluster.CreateWithV1Alpha4Config(cfg),
		cluster.CreateWithKubeconfigPath(b.kubeconfigPath(name)),
		cluster.CreateWithDisplayUsage(false),
		cluster.CreateWithDisplaySalutation(false),
		cluster.CreateWithRetain(false),
	}
	if b.nodeImage != "" {
		opts = append(opts, cluster.CreateWithNodeImage(b.nodeImage))
	}
	// kind's Create takes no context: a cancelled job finds the cluster at the next reconcile.
	if err := b.provider.Create(name, opts...); err != nil {
		return b.explain(fmt.Errorf("create kind cluster %s: %w", name, err))
	}
	return nil
}

// loadImages loads the lab images a node lacks into every node of the cluster.
func (b *Backend) loadImages(ctx context.Context, name string, progress backend.Progress) error {
	if len(b.images) == 0 {
		return nil
	}
	progress("Load lab images into the node")
	nodes, err := b.provider.ListNodes(name)
	if err != nil {
		return fmt.Errorf("list nodes of %s: %w", name, err)
	}
	present := map[string]bool{}
	if len(nodes) == 1 { // what the node has already (a cluster made by an earlier run)
		var out bytes.Buffer
		if err := nodes[0].CommandContext(ctx, "ctr", "--namespace=k8s.io", "images", "list", "-q").SetStdout(&out).Run(); err == nil {
			for _, ref := range strings.Fields(out.String()) {
				present[ref] = true
			}
		}
	}
	for _, src := range b.images {
		if named, ok := src.(NamedImage); ok {
			if ref, err := named.ImageRef(ctx); err == nil && present[ref] {
				continue
			}
		}
		archive, err := src.Archive(ctx)
		if err != nil {
			return fmt.Errorf("lab image: %w", err)
		}
		if len(archive) == 0 { // an optional image that cannot be built here (logged by its source)
			continue
		}
		for _, n := range nodes {
			if err := nodeutils.LoadImageArchive(n, bytes.NewReader(archive)); err != nil {
				return fmt.Errorf("load image into %s: %w", n.String(), err)
			}
		}
	}
	return nil
}

// ensureCluster creates the cluster unless it exists, and returns it once it can run a lab.
// A new cluster's images are loaded while its node and CoreDNS start (both take seconds, and
// neither needs the other). The caller holds the cluster's lock.
func (b *Backend) ensureCluster(ctx context.Context, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	exists, err := b.exists(ref.Cluster)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if !exists {
		if err := b.create(ctx, ref.Cluster, progress); err != nil {
			return nil, err
		}
	}
	tCreated := time.Now()
	env, err := b.attach(ref)
	if err != nil {
		return nil, err
	}
	if exists || len(b.images) == 0 {
		progress("Wait for nodes and CoreDNS")
		if err := env.Client.WaitReady(ctx, b.readyWait, nil); err != nil {
			return nil, b.explain(err)
		}
		return env, nil
	}
	progress("Load lab images while nodes and CoreDNS start")
	var tLoaded, tReady time.Time
	loaded := make(chan error, 1)
	go func() {
		err := b.loadImages(ctx, ref.Cluster, func(string) {}) // the step is announced above
		tLoaded = time.Now()
		loaded <- err
	}()
	err = env.Client.WaitReady(ctx, b.readyWait, nil)
	tReady = time.Now()
	if lerr := <-loaded; lerr != nil {
		return nil, lerr
	}
	if err != nil {
		return nil, b.explain(err)
	}
	b.logger.Info("kind cluster created", "cluster", ref.Cluster, "create_s", tCreated.Sub(t0).Seconds(),
		"images_s", tLoaded.Sub(tCreated).Seconds(), "ready_s", tReady.Sub(tCreated).Seconds())
	return env, nil
}

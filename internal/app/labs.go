package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kubeconfig"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/shared"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// LabsDir is where lab files live: clusters/ (admin kubeconfigs of kind clusters), sessions/
// (learners' kubeconfigs) and bin/ (a labapp built on demand).
func (c Config) LabsDir() string { return filepath.Join(c.DataDir, "labs") }

// newLabService builds the lab service for the configured backend, or nil for "none". Nothing
// touches Docker or a cluster until a lab starts or the service runs.
func newLabService(ctx context.Context, cfg Config, db *store.DB, cat *catalog.Catalog, bundles bundle.Bundles, logger *slog.Logger) (*lab.Service, error) {
	if cfg.LabBackend == "none" {
		return nil, nil
	}
	dir, err := filepath.Abs(cfg.LabsDir())
	if err != nil {
		return nil, fmt.Errorf("labs dir: %w", err)
	}
	instance, err := db.LabInstance(ctx)
	if err != nil {
		return nil, err
	}
	var b backend.Backend
	pool := max(0, cfg.LabPool)
	var opts []lab.Option
	tools := toolbox.New(toolbox.WithKubectl(cfg.ToolboxKubectl), toolbox.WithBusybox(cfg.ToolboxBusybox), toolbox.WithLogger(logger))
	var kindImages []kind.ImageSource
	if err := tools.Available(); err != nil {
		logger.Warn("labs without a terminal: the learners' toolbox image cannot be built", "error", err)
	} else {
		opts = append(opts, lab.WithToolbox(tools))
		kindImages = append(kindImages, tools)
	}
	switch cfg.LabBackend {
	case "none":
		return nil, nil
	case "", "kind":
		images := labimage.New(labimage.WithBinary(cfg.LabappBinary), labimage.WithCacheDir(filepath.Join(dir, "bin")),
			labimage.WithLogger(logger))
		kb := kind.New(instance, filepath.Join(dir, "clusters"), kind.WithNodeImage(cfg.KindNodeImage),
			kind.WithImages(append([]kind.ImageSource{images}, kindImages...)...), kind.WithLogger(logger))
		host := kind.ReadHost("/")
		if hint := kind.InotifyBelowRecommended(host); hint != "" {
			logger.Warn("labs: " + hint)
		}
		switch cfg.LabIsolation {
		case "", "cluster":
			b = kb
			var why string
			pool, why = kind.PoolSize(cfg.LabPool, cfg.LabPool < 0, host)
			logger.Info("lab pool size", "size", pool, "why", why)
		case "namespace":
			// The warm pool holds namespaces of the shared cluster, each with its guard rails,
			// the learner's access and toolbox ready.
			b = shared.New(kb, instance, shared.WithMaxClusters(cfg.LabMaxClusters), shared.WithLogger(logger))
			var why string
			pool, why = shared.PoolSize(cfg.LabPool, cfg.LabPool < 0, host.MemAvailableMiB)
			logger.Info("lab pool size", "size", pool, "why", why)
		default:
			return nil, fmt.Errorf("lab isolation %q: use cluster or namespace", cfg.LabIsolation)
		}
	case "kubeconfig":
		if cfg.LabKubeconfig == "" {
			return nil, fmt.Errorf("lab backend kubeconfig needs --lab-kubeconfig")
		}
		if b, err = kubeconfig.New(instance, cfg.LabKubeconfig, kubeconfig.WithAPIServer(cfg.LabAPIServer)); err != nil {
			return nil, err
		}
	case "incluster":
		if b, err = kubeconfig.NewInCluster(instance, kubeconfig.WithAPIServer(cfg.LabAPIServer)); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("lab backend %q: use kind, kubeconfig, incluster or none", cfg.LabBackend)
	}
	return lab.NewService(b, db, cat, bundles, append([]lab.Option{lab.WithLogger(logger), lab.WithTTL(cfg.LabIdleTTL),
		lab.WithSessionDir(filepath.Join(dir, "sessions")), lab.WithPool(pool)}, opts...)...), nil
}

// LabImages builds the images the lab engine puts on nodes, the labs' workload image
// (kcnaprep.local/labapp) and the learners' toolbox, from the same flags as the server, for
// pushing to a registry a classroom cluster pulls from ("server lab images push").
func LabImages(ctx context.Context, cfg Config, logger *slog.Logger) ([]labimage.Named, error) {
	dir, err := filepath.Abs(cfg.LabsDir())
	if err != nil {
		return nil, fmt.Errorf("labs dir: %w", err)
	}
	app, err := labimage.New(labimage.WithBinary(cfg.LabappBinary), labimage.WithCacheDir(filepath.Join(dir, "bin")),
		labimage.WithLogger(logger)).Image(ctx)
	if err != nil {
		return nil, fmt.Errorf("lab image: %w", err)
	}
	img, ref, err := toolbox.New(toolbox.WithKubectl(cfg.ToolboxKubectl), toolbox.WithBusybox(cfg.ToolboxBusybox),
		toolbox.WithLogger(logger)).Image(ctx)
	if err != nil {
		return nil, fmt.Errorf("toolbox image: %w", err)
	}
	return []labimage.Named{app, {Ref: ref, Image: img}}, nil
}

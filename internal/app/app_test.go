package app_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/app"
)

// TestOpenServicesLeavesOutTheWebServer: the CLI's lab commands open content, database and
// services without building the HTTP handler or the search index; Open adds both.
func TestOpenServicesLeavesOutTheWebServer(t *testing.T) {
	ctx := context.Background()
	cfg := app.Config{DataDir: t.TempDir(), LabBackend: "none"}
	logger := slog.New(slog.DiscardHandler)
	a, err := app.OpenServices(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	if a.HTTP != nil || a.Trainer == nil || a.Study == nil || a.Auth == nil || a.Local == nil || len(a.Bundles) != len(a.Catalog.Labs) {
		t.Errorf("OpenServices: http %v trainer %v study %v auth %v local %v, %d bundles for %d labs",
			a.HTTP != nil, a.Trainer != nil, a.Study != nil, a.Auth != nil, a.Local, len(a.Bundles), len(a.Catalog.Labs))
	}
	if hits, err := a.Study.SearchLessons(ctx, "pod", 5); err != nil || len(hits) != 0 {
		t.Errorf("search after OpenServices: %d hits, %v; want an empty index", len(hits), err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	a, err = app.Open(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.HTTP == nil {
		t.Fatal("Open built no HTTP handler")
	}
	if hits, err := a.Study.SearchLessons(ctx, "pod", 5); err != nil || len(hits) == 0 {
		t.Errorf("search after Open: %d hits, %v; want the lessons indexed", len(hits), err)
	}
}

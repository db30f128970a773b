package e2e

import (
	"context"
	"testing"
)

type contextT = context.Context

// testContentDir is "": the browser tests run on kcnaprep's own embedded content.
func testContentDir(*testing.T) string { return "" }

package e2e

import (
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

func testContentDir(t *testing.T) string { return testcontent.Write(t, nil) }

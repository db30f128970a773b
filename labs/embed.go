// Package labs embeds the hands-on lab bundles (see README.md in this folder).
package labs

import "embed"

// FS holds one folder per lab: labs/<id>/lab.yaml, solution.sh and any manifests.
//
//go:embed *
var FS embed.FS

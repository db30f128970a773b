// Package content embeds the curriculum and the lessons (see README.md in this folder).
package content

import "embed"

// FS holds curriculum.yaml and every lesson, content/<domain>/<NN>-<slug>.md.
//
//go:embed *
var FS embed.FS

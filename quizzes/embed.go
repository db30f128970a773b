// Package quizzes embeds the question banks (see README.md in this folder).
package quizzes

import "embed"

// FS holds the question banks, quizzes/<domain>/<competency>[-part].yaml.
//
//go:embed *
var FS embed.FS

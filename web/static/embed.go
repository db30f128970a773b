// Package static embeds the web app's CSS, JavaScript and icons.
package static

import "embed"

// FS holds the static assets served under /static/.
//
//go:embed *.css *.js *.svg vendor/*.js vendor/*.css fonts/*.woff2
var FS embed.FS

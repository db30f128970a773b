// Package migrations embeds the SQL migrations that goose applies at start-up.
package migrations

import "embed"

// FS holds NNNNN_name.sql files, applied in order by internal/store.
//
//go:embed *.sql
var FS embed.FS

// Package assets holds the files Ferry embeds in its binary.
package assets

import "embed"

// Demo is Harbour View Dental, the demo practice: app/demo's output for its default config
// (files under "demo/": six CSVs and manifest.json). A test in app/demo fails when it is stale.
//
//go:generate go run ../cmd/ferry generate --out demo
//go:embed demo
var Demo embed.FS

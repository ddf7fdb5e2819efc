package assets

import "embed"

// Sources holds the source presets Ferry ships: what the tables, columns and coded values of
// the systems practices move from mean (one JSON file per system, format ferry-source/1,
// described in app/presets' package documentation).
//
//go:embed sources
var Sources embed.FS

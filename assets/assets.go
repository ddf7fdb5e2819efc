// Package assets holds what Ferry ships inside its binary: the app icon, the demo practice's
// exports and, later, checklist and target templates. Data, not code.
package assets

import _ "embed"

// Icon is the application icon (also named in FyneApp.toml for packaging).
//
//go:embed icon.png
var Icon []byte

package assets

import "embed"

// Recipes holds the cleanse recipes Ferry ships: demo-cleanse.json fixes what can be fixed of
// the demo practice's planted defects (app/cleanse's tests replay it and check the result
// against the demo's manifest).
//
//go:embed recipes
var Recipes embed.FS

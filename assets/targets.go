package assets

import "embed"

// Targets holds the new-system layouts Ferry ships (one JSON file per preset: fhir-r4.json,
// generic.json) and synonyms.json, the dictionary auto-suggest matches old column names, table
// names and pick-list values with. app/target and app/mapping read them; the format is described
// in app/target's package documentation.
//
//go:embed targets
var Targets embed.FS

package assets

import "embed"

// Maps holds the mapping templates Ferry ships (format ferry-map-template/1, see app/mapping):
// demo-fhir-r4.json maps the demo practice, once cleansed, onto the FHIR R4 preset as a
// consultant would.
//
//go:embed maps
var Maps embed.FS

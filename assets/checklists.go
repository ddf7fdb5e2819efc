package assets

import "embed"

// Checklists holds the parallel-run checklist templates: general.json for any practice, plus one
// file per kind of practice that extends it (dental.json, law.json ...). app/checklist reads them.
//
//go:embed checklists
var Checklists embed.FS

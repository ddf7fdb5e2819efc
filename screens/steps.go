package screens

import (
	"fyne.io/fyne/v2"

	"github.com/ferry-migrate/ferry/app/wizard"
)

// stepScreens is the one table of wizard steps and the constructors of their screens. A step whose
// engine is not built yet (wizard.Def.Built false) shows a plain "not built yet" page instead.
var stepScreens = map[wizard.StepID]func(w fyne.Window, deps StepDeps) fyne.CanvasObject{
	wizard.Plan:      NewPlanStep,
	wizard.Sources:   NewSourcesStep,
	wizard.Audit:     NewAuditStep,
	wizard.Cleanse:   NewCleanseStep,
	wizard.Map:       NewMapStep,
	wizard.Sample:    NewSampleStep,
	wizard.Parallel:  NewParallelStep,
	wizard.Load:      NewLoadStep,
	wizard.Reconcile: NewReconcileStep,
}

package screens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/rollback"
	"github.com/ferry-migrate/ferry/app/sample"
)

// sampleResults is the newest sample run's outcome, per record and per entity.
type sampleResults struct {
	run      load.RunInfo
	left     int64                        // records it created that are still in the destination (not cleaned up)
	records  map[string]load.RecordResult // entity \x00 legacy key
	entities map[string]entityResult
}

type entityResult struct {
	total, accepted, problems int64
}

// readResults reads the newest sample run's records and whether it passes (background).
func (s *SampleStep) readResults(ctx context.Context) (*sampleResults, string, error) {
	runs, err := load.Runs(ctx, s.p)
	if err != nil {
		return nil, "", err
	}
	var run *load.RunInfo
	for i := range runs {
		if runs[i].Mode == load.ModeSample {
			run = &runs[i]
			break
		}
	}
	if run == nil {
		return nil, "", nil
	}
	recs, err := load.Records(ctx, s.p, run.ID, load.Filter{})
	if err != nil {
		return nil, "", err
	}
	res := &sampleResults{run: *run, records: map[string]load.RecordResult{}, entities: map[string]entityResult{}}
	for _, r := range recs {
		res.records[r.Entity+"\x00"+r.LegacyKey] = r
		er := res.entities[r.Entity]
		er.total++
		switch r.Status {
		case load.StatusCreated, load.StatusExisting, "updated", "deleted":
			er.accepted++
		case load.StatusRejected, load.StatusFailed, load.StatusInvalid:
			er.problems++
		}
		res.entities[r.Entity] = er
	}
	if err := s.p.Reader().QueryRowContext(ctx, `SELECT count(*) FROM ferry_crosswalk WHERE run_id = ?`, run.ID).Scan(&res.left); err != nil {
		return nil, "", err
	}
	_, _, reason := sample.Passing(ctx, s.p)
	return res, fmt.Sprintf("Newest sample run: %d to %s, %s. %s", run.ID, run.Destination, run.State, reason), nil
}

// destinations are the places a sample can go, sandboxes first.
func (s *SampleStep) buildRunBar() {
	s.destSel = widget.NewSelect(nil, func(string) { s.updateButtons() })
	s.destSel.PlaceHolder = "Where the sample goes"
	s.runBtn = widget.NewButtonWithIcon("Run sample", theme.MediaPlayIcon(), s.runSample)
	s.runBtn.Importance = widget.HighImportance
	s.cleanBtn = widget.NewButtonWithIcon("Clean up sample", theme.DeleteIcon(), s.cleanUp)
	s.recomputeBtn = widget.NewButtonWithIcon("Work it out again", theme.ViewRefreshIcon(), s.Recompute)
	s.runBar.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, widget.NewLabel("Send to"), nil, s.destSel),
		s.runBtn, s.cleanBtn, s.recomputeBtn}
	s.runBar.Refresh()
	goBackground(func() {
		ds, err := load.Destinations(s.ctx, s.p)
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			s.setDestinations(ds)
		})
	})
}

func (s *SampleStep) setDestinations(ds []load.Destination) {
	var opts []string
	choose := ""
	for _, d := range ds {
		label := d.Name + " (" + d.Role + ")"
		opts = append(opts, label)
		s.destByLabel[label] = d
		if choose == "" && d.Role == "sandbox" {
			choose = label
		}
	}
	if choose == "" && len(opts) > 0 {
		choose = opts[0]
	}
	s.destSel.Options = opts
	if len(opts) == 0 {
		s.destSel.PlaceHolder = "No destination yet: add one in the Full load step"
	}
	s.destSel.Refresh()
	if choose != "" {
		s.destSel.SetSelected(choose)
	}
}

func (s *SampleStep) actionButtons() []*widget.Button {
	return []*widget.Button{s.runBtn, s.cleanBtn, s.recomputeBtn}
}

// updateButtons enables what can be done now: run with a destination and a sample, clean up
// while the newest sample run has records in its destination.
func (s *SampleStep) updateButtons() {
	busy := s.Busy()
	set := func(b *widget.Button, on bool) {
		if on && !busy && !s.readOnly {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	_, dest := s.chosenDestination()
	set(s.runBtn, dest && s.sel != nil && s.sel.Total() > 0)
	set(s.cleanBtn, s.results != nil && s.results.left > 0)
	set(s.recomputeBtn, true)
}

// chosenDestination is the destination chosen in the run bar.
func (s *SampleStep) chosenDestination() (load.Destination, bool) {
	d, ok := s.destByLabel[s.destSel.Selected]
	return d, ok
}

// withSecret asks for the destination's token, API key or password when the keyring has none,
// then calls next on the UI goroutine with a function the engine can ask.
func (s *SampleStep) withSecret(d load.Destination, next func(secret func(load.Destination) (string, error))) {
	if !d.Config.NeedsSecret() {
		next(nil)
		return
	}
	if sec, err := load.Secret(d, nil); err == nil && sec != "" {
		next(nil)
		return
	}
	entry := widget.NewPasswordEntry()
	label := strings.ReplaceAll(d.Config.Auth.Type, "_", " ")
	dialog.ShowForm("Sign in to "+d.Name, "Continue", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("The "+label, entry)}, func(ok bool) {
			if !ok || entry.Text == "" {
				return
			}
			secret := entry.Text
			next(func(load.Destination) (string, error) { return secret, nil })
		}, s.win)
}

// runSample sends the sample to the destination chosen in the run bar.
func (s *SampleStep) runSample() {
	d, ok := s.chosenDestination()
	if !ok {
		s.notice.show("Choose where the sample goes: a sandbox, or the live system. Destinations are set up in the Full load step.", true)
		return
	}
	if s.sel == nil {
		return
	}
	sel := s.sel
	s.withSecret(d, func(secret func(load.Destination) (string, error)) {
		var res *sample.RunResult
		s.start(fmt.Sprintf("Sending the sample to %s", d.Name), "record", func(j *sampleJob) error {
			var err error
			res, err = sample.Run(j.ctx, s.p, sample.RunOptions{Destination: d.Name, Selection: sel, Secret: secret,
				Progress: func(pr load.Progress) {
					title := fmt.Sprintf("Sending the sample to %s", d.Name)
					if pr.Entity != "" {
						title += ": " + pr.Entity
					}
					j.set(title, pr.Done, pr.Total)
				}})
			if err != nil {
				return err
			}
			st := j.state
			st.sel = sel
			st.hand = s.hand
			st.results, st.passing, err = s.readResults(context.WithoutCancel(j.ctx))
			j.state = st
			return err
		}, func(j *sampleJob, err error) {
			switch {
			case err != nil && (j.cancelled.Load() || errors.Is(err, context.Canceled)):
				s.notice.show("Sample run stopped. What was sent is recorded; run it again to go on, or clean it up.", true)
			case err != nil:
				s.deps.ShowError(fmt.Errorf("the sample run could not finish: %w", err))
			default:
				s.apply(j.state)
				bad := res.Counts[load.StatusRejected] + res.Counts[load.StatusFailed] + res.Counts[load.StatusInvalid]
				if res.State != load.StateDone {
					msg := res.Message
					if msg == "" {
						msg = "it ended " + res.State
					}
					s.notice.show(fmt.Sprintf("Sample run %d did not finish: %s. What was sent is recorded; run it again to go on, or clean it up.",
						res.RunID, msg), true)
				} else if bad > 0 {
					s.notice.show(fmt.Sprintf("Sample run %d: %s of %s did not arrive. They are listed first, with the new system's reason.",
						res.RunID, fmtInt(bad), plural64(res.Total, "record", "records")), true)
				} else {
					s.notice.show(fmt.Sprintf("Sample run %d: all %s arrived in %s.", res.RunID, plural64(res.Total, "record", "records"), d.Name), false)
				}
				s.deps.Refresh()
			}
			s.reload(j)
		})
	})
}

// reload reads what changed after a run, when the job did not already.
func (s *SampleStep) reload(j *sampleJob) {
	if j.state.sel == nil {
		s.Recompute()
	}
}

// cleanUp deletes what the newest sample run created, after the person confirms.
func (s *SampleStep) cleanUp() {
	if s.results == nil {
		s.notice.show("There is no sample run to clean up yet.", true)
		return
	}
	run := s.results.run
	created := run.Counts[load.StatusCreated]
	d, ok := s.destinationNamed(run.Destination)
	if !ok {
		s.deps.ShowError(fmt.Errorf("sample run %d went to %s, which is no longer set up", run.ID, run.Destination))
		return
	}
	dialog.ShowConfirm("Clean up the sample?", fmt.Sprintf("Delete from %s the %s sample run %d created? "+
		"Only those: anything else in %s stays as it is.", run.Destination, plural64(created, "record", "records"), run.ID, run.Destination),
		func(yes bool) {
			if !yes {
				return
			}
			s.withSecret(d, func(secret func(load.Destination) (string, error)) {
				var res *rollback.Result
				s.start("Cleaning up the sample in "+run.Destination, "record", func(j *sampleJob) error {
					var err error
					res, err = sample.Cleanup(j.ctx, s.p, sample.CleanupOptions{Run: run.ID, Secret: secret,
						Progress: func(pr rollback.Progress) { j.set("Deleting the sample's "+pr.Entity, pr.Done, pr.Total) }})
					if err != nil {
						return err
					}
					st := selectionState{sel: s.sel, hand: s.hand}
					st.results, st.passing, err = s.readResults(context.WithoutCancel(j.ctx))
					j.state = st
					return err
				}, func(j *sampleJob, err error) {
					switch {
					case errors.Is(err, rollback.ErrFiles):
						s.notice.show("This sample went into import files: clean it up in the new system's own tools.", true)
					case err != nil:
						s.deps.ShowError(fmt.Errorf("cleaning up the sample: %w", err))
					case len(res.Problem) > 0:
						s.apply(j.state)
						s.notice.show(fmt.Sprintf("Deleted %s; %s could not be deleted: %s %s: %s", plural64(res.Counts[load.StatusDeleted], "record", "records"),
							plural64(int64(len(res.Problem)), "record", "records"), res.Problem[0].Entity, res.Problem[0].LegacyKey, oneLine(res.Problem[0].Error)), true)
					default:
						s.apply(j.state)
						s.notice.show(fmt.Sprintf("Cleaned up: the %s sample run %d created are deleted from %s.",
							plural64(res.Counts[load.StatusDeleted], "record", "records"), run.ID, run.Destination), false)
						s.deps.Refresh()
					}
				})
			})
		}, s.win)
}

func (s *SampleStep) destinationNamed(name string) (load.Destination, bool) {
	for _, d := range s.destByLabel {
		if d.Name == name {
			return d, true
		}
	}
	return load.Destination{}, false
}

package screens

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

var (
	mapVendorFilters   = []Filter{{Name: "Import templates (Excel, CSV)", Exts: []string{".xlsx", ".csv", ".tsv", ".txt"}}}
	mapTemplateFilters = []Filter{{Name: "Ferry mapping templates (JSON)", Exts: []string{".json"}}}
)

// mapChooser is what the Map step shows before a target is chosen: the built-in presets and the
// new vendor's import template.
type mapChooser struct {
	s     *MapStep
	root  *fyne.Container
	cards *fyne.Container
}

func newMapChooser(s *MapStep) *mapChooser {
	c := &mapChooser{s: s, cards: container.NewVBox()}
	intro := wrapped("First say what the new system expects: its kinds of records (patients, appointments, invoices …) and, for each, " +
		"its fields with their types, which are required and which values a pick-list takes. Start from a built-in description, " +
		"or from the import template the new vendor gave you. You can change fields by hand afterwards.")
	c.root = container.NewVBox(heading("Which system are you moving to?", 18), intro, c.cards)
	return c
}

func (c *mapChooser) show() {
	c.cards.Objects = c.s.targetOptions(nil)
	c.cards.Refresh()
	c.root.Show()
}

// targetOptions are the cards for each preset and the vendor template; after is run once one was
// chosen (closing a dialog).
func (s *MapStep) targetOptions(after func()) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	presets, err := target.Presets()
	if err != nil {
		out = append(out, wrapped("The built-in targets are missing from this build: "+err.Error()))
	}
	for _, pr := range presets {
		pr := pr
		b := widget.NewButtonWithIcon("Use "+pr.Title, theme.ConfirmIcon(), func() {
			if after != nil {
				after()
			}
			s.UsePreset(pr.Name)
		})
		b.Importance = widget.HighImportance
		if s.readOnly {
			b.Disable()
		}
		desc := wrapped(pr.Description)
		out = append(out, widget.NewCard(pr.Title, plural64(int64(pr.Entities), "kind of record", "kinds of record"),
			container.NewBorder(nil, nil, nil, container.NewCenter(b), desc)))
	}
	vb := widget.NewButtonWithIcon("Use the new vendor's import template…", theme.FolderOpenIcon(), func() {
		if after != nil {
			after()
		}
		s.VendorTemplateDialog()
	})
	if s.readOnly {
		vb.Disable()
	}
	out = append(out, widget.NewCard("The new vendor's import template", "Excel or CSV",
		container.NewBorder(nil, nil, nil, container.NewCenter(vb),
			wrapped("A spreadsheet whose header row names the fields the new system imports. Rows under it that say \"required\", "+
				"\"DD/MM/YYYY\", \"max 50\" or \"one of: A, B\" are read as rules; the rest are examples."))))
	return out
}

// UsePreset makes a built-in target the one the map works on (added to the project the first time).
func (s *MapStep) UsePreset(name string) {
	s.edit(func(ctx context.Context) (string, error) {
		t, err := target.FromPreset(ctx, s.deps.Project(), name)
		if err != nil {
			return "", err
		}
		if err := target.SetActive(ctx, s.deps.Project(), t.ID); err != nil {
			return "", err
		}
		return fmt.Sprintf("Mapping onto %s: %s. Drag a column onto a field, or let Ferry suggest matches.", t.Title,
			plural64(int64(len(t.Entities)), "kind of record", "kinds of record")), nil
	}, nil)
}

// changeTargetDialog offers the presets, the vendor template, and the project's other targets.
func (s *MapStep) changeTargetDialog() {
	var d dialog.Dialog
	hide := func() { d.Hide() }
	items := []fyne.CanvasObject{wrapped("The map of each target is kept: switching back finds it as you left it.")}
	goBackground(func() {
		ts, err := target.List(s.ctx, s.deps.Project())
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(err)
				return
			}
			for _, t := range ts {
				if t.Active {
					continue
				}
				t := t
				b := widget.NewButton("Switch to "+t.Name, func() {
					hide()
					s.edit(func(ctx context.Context) (string, error) {
						return "Mapping onto " + mapTargetTitle(t) + ".", target.SetActive(ctx, s.deps.Project(), t.ID)
					}, nil)
				})
				items = append(items, widget.NewCard(mapTargetTitle(t), t.Origin, container.NewBorder(nil, nil, nil, b, wrapped(t.Description))))
			}
			items = append(items, s.targetOptions(hide)...)
			d = dialog.NewCustom("Change the new system", "Close", container.NewVScroll(container.NewVBox(items...)), s.win)
			d.Resize(fyne.NewSize(760, 560))
			d.Show()
		})
	})
}

// VendorTemplateDialog builds an entity of the target from the new vendor's import template.
func (s *MapStep) VendorTemplateDialog() {
	if s.deps.Services().ReadTable == nil {
		s.deps.ShowError(errors.New("reading spreadsheets is not available in this build"))
		return
	}
	s.deps.Files().Open("The new vendor's import template", mapVendorFilters, func(path string, err error) {
		if err != nil {
			s.deps.ShowError(err)
			return
		}
		if path == "" {
			return
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		e := widget.NewEntry()
		e.SetText(name)
		help := muted("The kind of record this template imports, e.g. Patients. A template read again replaces the entity of the same name.")
		dialog.ShowForm("Read "+filepath.Base(path), "Read it", "Cancel",
			[]*widget.FormItem{widget.NewFormItem("Kind of record", e), widget.NewFormItem("", help)}, func(ok bool) {
				if ok && strings.TrimSpace(e.Text) != "" {
					s.UseVendorTemplate(path, strings.TrimSpace(e.Text))
				}
			}, s.win)
	})
}

// UseVendorTemplate reads a vendor's import template into entity of the "vendor" target (or of
// the active target when it came from a vendor template) and shows what was guessed.
func (s *MapStep) UseVendorTemplate(path, entity string) {
	var notes []string
	s.edit(func(ctx context.Context) (string, error) {
		p := s.deps.Project()
		mt, err := s.deps.Services().ReadTable(ctx, path)
		if err != nil {
			return "", fmt.Errorf("reading the vendor template %s: %w", filepath.Base(path), err)
		}
		var hints [][]string
		for _, r := range mt.Rows {
			if !target.IsHintRow(r.Cells) {
				break
			}
			hints = append(hints, r.Cells)
		}
		ent, n, err := target.FromTemplate(entity, mt.Spec.Columns, hints)
		if err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		notes = n
		t, err := target.Active(ctx, p)
		if err != nil && !errors.Is(err, target.ErrNoTarget) {
			return "", err
		}
		if err != nil || !strings.HasPrefix(t.Origin, "vendor:") {
			t, err = target.ByName(ctx, p, "vendor")
		}
		switch {
		case errors.Is(err, target.ErrNoTarget):
			t, err = target.Create(ctx, p, "vendor:"+filepath.Base(path), target.Definition{Name: "vendor", Title: "Vendor template",
				Description: "Built from the new system's import template " + filepath.Base(path), Entities: []target.Entity{ent}})
		case err == nil:
			t, err = target.PutEntity(ctx, p, t.ID, ent)
		}
		if err != nil {
			return "", err
		}
		def := t.Definition.Clone()
		if links := target.LinkReferences(&def); len(links) > 0 {
			notes = append(notes, links...)
			if t, err = target.Update(ctx, p, t.ID, "link_references", map[string]any{"links": links}, func(d *target.Definition) error {
				*d = def
				return nil
			}); err != nil {
				return "", err
			}
		}
		if err := target.SetActive(ctx, p, t.ID); err != nil {
			return "", err
		}
		required := 0
		for _, f := range ent.Fields {
			if f.Required {
				required++
			}
		}
		return fmt.Sprintf("%s from %s: %s (%d required, %s of rules read).", ent.Name, filepath.Base(path),
			plural64(int64(len(ent.Fields)), "field", "fields"), required, plural64(int64(len(hints)), "row", "rows")), nil
	}, func() {
		s.entity = entity
		if len(notes) > 0 {
			d := dialog.NewCustom("What Ferry made of the template", "OK", container.NewVScroll(wrapped("• "+strings.Join(notes, "\n• "))), s.win)
			d.Resize(fyne.NewSize(620, 380))
			d.Show()
		}
	})
}

// ExportTemplateDialog saves the map as a template for the next client.
func (s *MapStep) ExportTemplateDialog() {
	name := "map"
	if s.ov != nil {
		name = s.ov.Target.Name + " map"
	}
	s.deps.Files().Save("Export the map as a template", name+".json", mapTemplateFilters, func(path string, err error) {
		if err != nil {
			s.deps.ShowError(err)
			return
		}
		if path == "" {
			return
		}
		if !strings.HasSuffix(strings.ToLower(path), ".json") {
			path += ".json"
		}
		s.ExportTemplate(path)
	})
}

// ExportTemplate writes the map as a template file.
func (s *MapStep) ExportTemplate(path string) {
	goBackground(func() {
		t, err := s.m.Export(s.ctx)
		if err == nil {
			err = os.WriteFile(path, t.Marshal(), 0o644)
		}
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(fmt.Errorf("exporting the map to %s: %w", filepath.Base(path), err))
				return
			}
			fields := 0
			for _, e := range t.Entities {
				fields += len(e.Fields)
			}
			s.notice.show(fmt.Sprintf("Exported the map to %s: %s, %s. Import it at the next client with Import template….",
				filepath.Base(path), plural64(int64(len(t.Entities)), "entity", "entities"), plural64(int64(fields), "field", "fields")), false)
		})
	})
}

// ImportTemplateDialog applies a template a consultant kept.
func (s *MapStep) ImportTemplateDialog() {
	s.deps.Files().Open("Import a mapping template", mapTemplateFilters, func(path string, err error) {
		if err != nil {
			s.deps.ShowError(err)
			return
		}
		if path != "" {
			s.ImportTemplate(path)
		}
	})
}

// ImportTemplate applies a template file: what fits is mapped (one undoable edit), what does not
// is said in words.
func (s *MapStep) ImportTemplate(path string) {
	var rep mapping.ApplyReport
	s.edit(func(ctx context.Context) (string, error) {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("opening the template: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, mapping.MaxTemplateSize+1))
		f.Close()
		if err != nil {
			return "", fmt.Errorf("reading the template %s: %w", filepath.Base(path), err)
		}
		t, err := mapping.ReadTemplate(bytes.NewReader(b))
		if err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		if _, err := mapping.TargetFor(ctx, s.deps.Project(), t); err != nil {
			return "", err
		}
		sum := sha256.Sum256(b)
		rep, err = s.m.ApplyTemplate(ctx, t, hex.EncodeToString(sum[:]))
		if err != nil {
			return "", err
		}
		msg := fmt.Sprintf("Applied %s to %s: %s.", filepath.Base(path), rep.Target, plural64(int64(len(rep.Applied)), "mapping", "mappings"))
		if len(rep.Misfits) > 0 {
			msg += fmt.Sprintf(" %s did not fit and %s left out.", plural64(int64(len(rep.Misfits)), "part", "parts"),
				mapWasWere(len(rep.Misfits)))
		}
		return msg + " Undo takes it back.", nil
	}, func() {
		if len(rep.Misfits) > 0 {
			s.showMisfits(rep)
		}
	})
}

func mapWasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// showMisfits says in words what of a template did not fit this project.
func (s *MapStep) showMisfits(rep mapping.ApplyReport) {
	var lines []string
	for _, mf := range rep.Misfits {
		lines = append(lines, "• "+mapMisfitWords(mf))
	}
	intro := wrapped(fmt.Sprintf("%s was applied where it fits (%s). These parts did not fit this project and were left out; "+
		"map them by hand if they matter:", rep.Template, plural64(int64(len(rep.Applied)), "mapping", "mappings")))
	body := container.NewBorder(intro, nil, nil, nil, container.NewVScroll(wrapped(strings.Join(lines, "\n"))))
	d := dialog.NewCustom("What did not fit", "OK", body, s.win)
	d.Resize(fyne.NewSize(700, 440))
	d.Show()
	s.misfits = lines
}

// mapMisfitWords is a misfit with advice.
func mapMisfitWords(mf mapping.Misfit) string {
	switch mf.Kind {
	case mapping.MisfitTable:
		return mf.Message + ". Import that table on the Sources step, or choose another table for " + mf.Entity + "."
	case mapping.MisfitColumn:
		return mf.Message + ". Drag another column onto the field if there is one."
	case mapping.MisfitField, mapping.MisfitEntity:
		return mf.Message + ". The new system here does not have it; nothing to map."
	case mapping.MisfitValue:
		return mf.Message + "."
	case mapping.MisfitStep:
		return mf.Entity + "." + mf.Field + ": " + mf.Message + ". Check the field's steps."
	}
	return mf.Message
}

// editTargetDialog changes the target by hand: entities and their fields.
func (s *MapStep) editTargetDialog() {
	if s.ov == nil {
		return
	}
	t := s.ov.Target
	entity := s.entity
	var d dialog.Dialog
	list := container.NewVBox()
	entSel := widget.NewSelect(nil, nil)
	fill := func() {
		list.Objects = nil
		e := t.Entity(entity)
		if e == nil {
			list.Refresh()
			return
		}
		for _, f := range e.Fields {
			f := f
			edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() {
				d.Hide()
				s.editFieldDialog(e.Name, f.Name)
			})
			edit.Importance = widget.LowImportance
			rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
				d.Hide()
				s.removeFieldDialog(e.Name, f.Name)
			})
			rm.Importance = widget.LowImportance
			name := widget.NewLabelWithStyle(f.Name+map[bool]string{true: " *", false: ""}[f.Required], fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			info := widget.NewLabel(mapFieldTypeText(f))
			info.SizeName = theme.SizeNameCaptionText
			list.Objects = append(list.Objects, container.NewBorder(nil, nil, nil, container.NewHBox(edit, rm),
				container.NewGridWithColumns(2, name, info)))
		}
		list.Refresh()
	}
	var names []string
	for _, e := range t.Entities {
		names = append(names, e.Name)
	}
	entSel.Options = names
	entSel.OnChanged = func(v string) {
		entity = v
		fill()
	}
	entSel.SetSelected(entity)
	addField := widget.NewButtonWithIcon("Add field…", theme.ContentAddIcon(), func() {
		d.Hide()
		s.fieldForm(entity, nil)
	})
	addEntity := widget.NewButtonWithIcon("Add entity…", theme.ContentAddIcon(), func() {
		d.Hide()
		s.addEntityDialog()
	})
	note := muted("Changes apply to the working definition. The next validation freezes them as a new version; " +
		"earlier versions and the runs that used them stay as they were.")
	top := container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Entity"), container.NewHBox(addField, addEntity), entSel), note,
		widget.NewSeparator())
	d = dialog.NewCustom("Edit "+t.Name, "Close", container.NewBorder(top, nil, nil, nil, container.NewVScroll(list)), s.win)
	d.Resize(fyne.NewSize(760, 560))
	d.Show()
}

// editFieldDialog edits one field of the target (type, required, max length, format, allowed
// values, referenced entity).
func (s *MapStep) editFieldDialog(entity, field string) {
	if s.ov == nil {
		return
	}
	e := s.ov.Target.Entity(entity)
	if e == nil || e.Field(field) == nil {
		return
	}
	f := *e.Field(field)
	s.fieldForm(entity, &f)
}

// fieldForm adds (f nil) or changes a field of an entity.
func (s *MapStep) fieldForm(entity string, f *target.Field) {
	if s.ov == nil {
		return
	}
	old := ""
	cur := target.Field{Type: target.Text}
	if f != nil {
		old, cur = f.Name, *f
	}
	name := widget.NewEntry()
	name.SetText(cur.Name)
	label := widget.NewEntry()
	label.SetText(cur.Label)
	var types []string
	for _, t := range target.Types {
		types = append(types, string(t))
	}
	typ := widget.NewSelect(types, nil)
	typ.SetSelected(string(cur.Type))
	required := widget.NewCheck("Required: every record must have a value", nil)
	required.SetChecked(cur.Required)
	key := widget.NewCheck("Carries the old system's key", nil)
	key.SetChecked(cur.Key)
	maxLen := widget.NewEntry()
	if cur.MaxLength > 0 {
		maxLen.SetText(strconv.Itoa(cur.MaxLength))
	}
	maxLen.SetPlaceHolder("no limit")
	format := widget.NewEntry()
	format.SetText(cur.Format)
	format.SetPlaceHolder("dates: DD/MM/YYYY · phones: E.164, national · yes/no: Y/N")
	values := widget.NewMultiLineEntry()
	values.SetText(strings.Join(cur.Values, "\n"))
	values.SetPlaceHolder("pick-lists: one allowed value per line")
	values.SetMinRowsVisible(4)
	var ents []string
	for _, e := range s.ov.Target.Entities {
		ents = append(ents, e.Name)
	}
	refs := widget.NewSelect(ents, nil)
	refs.SetSelected(cur.References)
	items := []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Label", label), widget.NewFormItem("Type", typ),
		widget.NewFormItem("", required), widget.NewFormItem("", key), widget.NewFormItem("Max length", maxLen),
		widget.NewFormItem("Format", format), widget.NewFormItem("Allowed values", values), widget.NewFormItem("Refers to", refs),
	}
	title := "Add a field to " + entity
	if f != nil {
		title = "Edit " + entity + "." + old
	}
	d := dialog.NewForm(title, "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		nf := cur
		nf.Name, nf.Label = strings.TrimSpace(name.Text), strings.TrimSpace(label.Text)
		nf.Type = target.Type(typ.Selected)
		nf.Required, nf.Key = required.Checked, key.Checked
		nf.MaxLength, _ = strconv.Atoi(strings.TrimSpace(maxLen.Text))
		nf.Format = strings.TrimSpace(format.Text)
		nf.Values = nil
		if nf.Type == target.Code {
			for _, v := range strings.Split(values.Text, "\n") {
				if v = strings.TrimSpace(v); v != "" {
					nf.Values = append(nf.Values, v)
				}
			}
		}
		nf.References = ""
		if nf.Type == target.Reference {
			nf.References = refs.Selected
		}
		s.SaveField(entity, old, nf)
	}, s.win)
	d.Resize(fyne.NewSize(620, 640))
	d.Show()
}

// SaveField adds a field to the active target (old "") or replaces field old.
func (s *MapStep) SaveField(entity, old string, f target.Field) {
	s.edit(func(ctx context.Context) (string, error) {
		t, err := target.Active(ctx, s.deps.Project())
		if err != nil {
			return "", err
		}
		if old == "" {
			_, err = target.AddField(ctx, s.deps.Project(), t.ID, entity, f, -1)
			return fmt.Sprintf("Added %s.%s (%s).", entity, f.Name, f.Type), err
		}
		_, err = target.UpdateField(ctx, s.deps.Project(), t.ID, entity, old, f)
		msg := fmt.Sprintf("Changed %s.%s: %s.", entity, f.Name, mapFieldInfo(f))
		if f.Name != old {
			msg += " It was " + old + ": map it again if it was mapped."
		}
		return msg, err
	}, nil)
}

func (s *MapStep) removeFieldDialog(entity, field string) {
	dialog.ShowConfirm("Remove "+entity+"."+field+"?", "The new system's description loses this field; a mapping of it is then ignored. "+
		"Versions already frozen keep it.", func(ok bool) {
		if !ok {
			return
		}
		s.edit(func(ctx context.Context) (string, error) {
			t, err := target.Active(ctx, s.deps.Project())
			if err != nil {
				return "", err
			}
			_, err = target.RemoveField(ctx, s.deps.Project(), t.ID, entity, field)
			return "Removed " + entity + "." + field + " from the target.", err
		}, nil)
	}, s.win)
}

func (s *MapStep) addEntityDialog() {
	name := widget.NewEntry()
	label := widget.NewEntry()
	dialog.ShowForm("Add an entity", "Add", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Label", label),
		widget.NewFormItem("", muted("Then add its fields with Edit target… › Add field…")),
	}, func(ok bool) {
		n := strings.TrimSpace(name.Text)
		if !ok || n == "" {
			return
		}
		s.edit(func(ctx context.Context) (string, error) {
			t, err := target.Active(ctx, s.deps.Project())
			if err != nil {
				return "", err
			}
			_, err = target.AddEntity(ctx, s.deps.Project(), t.ID, target.Entity{Name: n, Label: strings.TrimSpace(label.Text)}, -1)
			return "Added entity " + n + ".", err
		}, func() { s.entity = n })
	}, s.win)
}

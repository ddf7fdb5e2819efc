package screens

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/secrets"
)

// authWords name the kinds of sign-in.
var authWords = map[string]string{load.AuthNone: "no sign-in", load.AuthBearer: "bearer token", load.AuthAPIKey: "API key",
	load.AuthBasic: "password"}

// authChoices are the sign-in choices of the destination dialog, in order.
var authChoices = []struct{ typ, label string }{
	{load.AuthNone, "None"},
	{load.AuthBearer, "Bearer token"},
	{load.AuthAPIKey, "API key in a header"},
	{load.AuthBasic, "User name and password"},
}

var kindChoices = []struct{ kind, label string }{
	{load.KindFiles, "Import files"},
	{load.KindREST, "REST API"},
	{load.KindFHIR, "FHIR server"},
}

// filesConfig is the part of a files destination's settings the dialog edits.
type filesConfig struct {
	dir, format string
	chunk       int
}

// filesSettings reads a files destination's folder, format and rows per file.
func filesSettings(c load.Config) filesConfig {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(c.Files, &m)
	fc := filesConfig{format: "csv"}
	_ = json.Unmarshal(m["dir"], &fc.dir)
	if f := ""; json.Unmarshal(m["format"], &f) == nil && f != "" {
		fc.format = f
	}
	_ = json.Unmarshal(m["chunk_rows"], &fc.chunk)
	return fc
}

// withFiles sets a files destination's folder, format and rows per file, keeping its other
// settings (header, delimiter, encoding …) as they were.
func withFiles(raw json.RawMessage, fc filesConfig) json.RawMessage {
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(raw, &m)
	put := func(k string, v any) {
		b, _ := json.Marshal(v)
		m[k] = b
	}
	put("dir", fc.dir)
	put("format", fc.format)
	if fc.chunk > 0 {
		put("chunk_rows", fc.chunk)
	} else {
		delete(m, "chunk_rows")
	}
	b, _ := json.Marshal(m)
	return b
}

// folderPicker is what a FilePicker may offer for choosing a folder (the native one does where
// the platform has such a dialog); Fyne's folder dialog stands in otherwise.
type folderPicker interface {
	Folder(title string, done func(path string, err error))
}

var nameRE = regexp.MustCompile(`[^a-z0-9]+`)

// editDialog adds a destination (d nil), edits d, or adds one from the target preset's defaults.
// The secret typed in goes to the OS keyring or is kept for this session only; never into the
// project.
func (s *LoadStep) editDialog(d *load.Destination, preset *presetDest) {
	var orig load.Destination
	switch {
	case d != nil:
		orig = *d
	case preset != nil:
		orig = load.Destination{Name: preset.name, Kind: preset.cfg.Kind, Role: "live", Config: preset.cfg}
	default:
		orig = load.Destination{Kind: load.KindFiles, Role: "live", Config: load.Config{Kind: load.KindFiles}}
	}
	c := orig.Config

	name := widget.NewEntry()
	name.SetText(orig.Name)
	name.SetPlaceHolder("e.g. New system, or Vendor import files")
	if d != nil {
		name.Disable() // a new name is a new destination: runs keep pointing at the old one
	}
	var kindLabels []string
	for _, k := range kindChoices {
		kindLabels = append(kindLabels, k.label)
	}
	kind := widget.NewRadioGroup(kindLabels, nil)
	kind.Horizontal = true
	role := widget.NewRadioGroup([]string{"Live: the new system", "Sandbox: for sample runs"}, nil)
	role.Horizontal = true
	role.SetSelected(role.Options[0])
	if orig.Role == "sandbox" {
		role.SetSelected(role.Options[1])
	}

	// Import files.
	fc := filesSettings(c)
	dir := widget.NewEntry()
	dir.SetText(fc.dir)
	dir.SetPlaceHolder("The folder the files go into")
	pick := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		set := func(path string, err error) {
			if err == nil && path != "" {
				dir.SetText(path)
			}
		}
		if fp, ok := s.deps.Files().(folderPicker); ok {
			fp.Folder("Where the import files go", set)
			return
		}
		fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if u != nil {
				set(u.Path(), err)
			}
		}, s.win)
		if fc.dir != "" {
			if u, err := storage.ListerForURI(storage.NewFileURI(fc.dir)); err == nil {
				fd.SetLocation(u)
			}
		}
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
	format := widget.NewRadioGroup([]string{"CSV", "XLSX"}, nil)
	format.Horizontal = true
	format.SetSelected(strings.ToUpper(fc.format))
	chunk := widget.NewEntry()
	if fc.chunk > 0 {
		chunk.SetText(strconv.Itoa(fc.chunk))
	}
	chunk.SetPlaceHolder("no limit")

	// REST API and FHIR server.
	url := widget.NewEntry()
	url.SetText(c.URL)
	url.SetPlaceHolder("https://api.example.com/v1")
	var authLabels []string
	for _, a := range authChoices {
		authLabels = append(authLabels, a.label)
	}
	auth := widget.NewSelect(authLabels, nil)
	for _, a := range authChoices {
		if a.typ == c.Auth.Type {
			auth.SetSelected(a.label)
		}
	}
	header := widget.NewEntry()
	header.SetText(c.Auth.Header)
	header.SetPlaceHolder("X-API-Key")
	user := widget.NewEntry()
	user.SetText(c.Auth.User)
	secret := widget.NewPasswordEntry()
	secret.SetPlaceHolder("leave empty to keep what is saved, or to be asked")
	keep := widget.NewRadioGroup([]string{"Save it in this computer's keyring", "Use it for this session only"}, nil)
	keep.SetSelected(keep.Options[0])
	rate := widget.NewEntry()
	if c.RateLimit > 0 {
		rate.SetText(trimFloat(c.RateLimit))
	}
	rate.SetPlaceHolder("no limit")
	conc := widget.NewEntry()
	if c.Concurrency > 0 {
		conc.SetText(strconv.Itoa(c.Concurrency))
	}
	conc.SetPlaceHolder("4")

	headerItem := widget.NewFormItem("Header name", header)
	userItem := widget.NewFormItem("User name", user)
	secretItem := widget.NewFormItem("Token, key or password", secret)
	keepItem := widget.NewFormItem("", keep)
	formBox := container.NewStack()
	problem := wrapped("")
	problem.Importance = widget.DangerImportance
	problem.Hide()

	nameItem, kindItem, roleItem := widget.NewFormItem("Name", name), widget.NewFormItem("Kind", kind), widget.NewFormItem("Role", role)
	folderItem := widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, pick, dir))
	formatItem, chunkItem := widget.NewFormItem("Format", format), widget.NewFormItem("Rows per file", chunk)
	addrItem, authItem := widget.NewFormItem("Address", url), widget.NewFormItem("Sign-in", auth)
	rateItem, concItem := widget.NewFormItem("Requests a second", rate), widget.NewFormItem("At once", conc)
	// layout shows the fields of the kind chosen (and of its sign-in), in one form so they line up.
	layout := func() {
		items := []*widget.FormItem{nameItem, kindItem, roleItem}
		if kindOf(kind.Selected) == load.KindFiles {
			items = append(items, folderItem, formatItem, chunkItem)
		} else {
			t := authType(auth.Selected)
			items = append(items, addrItem, authItem)
			if t == load.AuthAPIKey {
				items = append(items, headerItem)
			}
			if t == load.AuthBasic {
				items = append(items, userItem)
			}
			if t != load.AuthNone {
				items = append(items, secretItem, keepItem)
			}
			items = append(items, rateItem, concItem)
		}
		// A new form each time: widget.Form does not rebuild its rows when Items change.
		formBox.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
		formBox.Refresh()
	}
	auth.OnChanged = func(string) { layout() }
	if auth.Selected == "" {
		auth.SetSelected(authLabels[0])
	}
	kind.OnChanged = func(string) { layout() }
	kind.SetSelected(kindChoices[0].label)
	for _, k := range kindChoices {
		if k.kind == orig.Kind {
			kind.SetSelected(k.label)
		}
	}
	layout()
	body := container.NewVBox(formBox, problem)
	title := "Add a destination"
	if d != nil {
		title = "Edit " + d.Name
	}
	var dlg *dialog.CustomDialog
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), nil)
	save.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { dlg.Hide() })
	dlg = dialog.NewCustomWithoutButtons(title, container.NewVScroll(body), s.win)
	dlg.SetButtons([]fyne.CanvasObject{cancel, save})
	save.OnTapped = func() {
		nd := orig
		nd.Name = strings.TrimSpace(name.Text)
		nd.Kind = kindOf(kind.Selected)
		nd.Role = "live"
		if role.Selected == role.Options[1] {
			nd.Role = "sandbox"
		}
		cfg := c
		cfg.Format = load.ConfigFormat
		cfg.Kind = nd.Kind
		var perr error
		if nd.Name == "" {
			perr = errors.New("give the destination a name")
		}
		if nd.Kind == load.KindFiles {
			n, err := optionalInt(chunk.Text, "rows per file")
			perr = errors.Join(perr, err)
			cfg.Files = withFiles(cfg.Files, filesConfig{dir: strings.TrimSpace(dir.Text), format: strings.ToLower(format.Selected), chunk: n})
			cfg.URL, cfg.Auth = "", load.Auth{}
		} else {
			cfg.URL = strings.TrimSpace(url.Text)
			cfg.Auth.Type = authType(auth.Selected)
			cfg.Auth.Header = strings.TrimSpace(header.Text)
			cfg.Auth.User = strings.TrimSpace(user.Text)
			if cfg.Auth.Type == load.AuthNone {
				cfg.Auth = load.Auth{}
			} else if cfg.Auth.Keyring == "" {
				cfg.Auth.Keyring = "destination-" + strings.Trim(nameRE.ReplaceAllString(strings.ToLower(nd.Name), "-"), "-")
			}
			r, err := optionalFloat(rate.Text, "requests a second")
			perr = errors.Join(perr, err)
			cfg.RateLimit = r
			n, err := optionalInt(conc.Text, "at once")
			perr = errors.Join(perr, err)
			cfg.Concurrency = n
			cfg.Files = nil
		}
		if perr == nil {
			perr = cfg.Validate()
		}
		if perr != nil {
			problem.SetText(perr.Error())
			problem.Show()
			return
		}
		nd.Config = cfg
		typed := secret.Text
		toKeyring := keep.Selected == keep.Options[0]
		dlg.Hide()
		s.saveDestination(nd, typed, toKeyring)
	}
	dlg.Resize(fyne.NewSize(760, 600))
	dlg.Show()
}

// saveDestination fills in what a REST destination needs per entity when it has nothing yet,
// keeps the secret where the person chose, and saves the destination.
func (s *LoadStep) saveDestination(d load.Destination, secret string, toKeyring bool) {
	goBackground(func() {
		var note string
		if d.Kind == load.KindREST && len(d.Config.Entities) == 0 {
			if feed, err := mapping.New(s.p).Feed(s.ctx); err == nil {
				d.Config.Entities = load.PocketBaseEntities(feed.Def)
				note = " Each kind of record goes to /api/collections/NAME/records (PocketBase's layout); import settings to use other endpoints."
			}
		}
		if secret != "" && d.Config.NeedsSecret() {
			if toKeyring {
				if err := secrets.Set(load.KeyringService, d.Config.Auth.Keyring, secret); err != nil {
					note += " This computer has no keyring Ferry can use, so the secret is kept for this session only."
				} else {
					note += " The secret is in this computer's keyring, not in the project."
				}
			} else {
				note += " The secret is kept for this session only."
			}
			s.rememberSecret(d.Name, secret)
		}
		saved, err := load.SaveDestination(s.ctx, s.p, d)
		uiDo(func() {
			if err != nil {
				s.deps.ShowError(fmt.Errorf("saving %s: %w", d.Name, err))
				return
			}
			s.notice.show(fmt.Sprintf("Saved %s (version %d).%s", saved.Name, saved.Version, note), false)
			s.testResult.Hide()
			s.plan = nil
			s.reload(saved.Name)
			s.deps.Refresh()
		})
	})
}

func kindOf(label string) string {
	for _, k := range kindChoices {
		if k.label == label {
			return k.kind
		}
	}
	return load.KindFiles
}

func authType(label string) string {
	for _, a := range authChoices {
		if a.label == label {
			return a.typ
		}
	}
	return load.AuthNone
}

func optionalInt(s, what string) (int, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a whole number", what, s)
	}
	return n, nil
}

func optionalFloat(s, what string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%s: %q is not a number", what, s)
	}
	return f, nil
}

// saveAtomic writes a file under a temporary name next to path and renames it into place, so a
// failed save never leaves half a file under the chosen name.
func saveAtomic(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".writing-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

package checklist

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/assets"
)

// Template is a checklist as shipped in assets/checklists. A template for a kind of practice
// extends the general one: its groups add items to the general group with the same key, or are new
// groups placed before the group named in Before (at the end when empty).
type Template struct {
	ID            string          `json:"id"`
	Title         string          `json:"title"`
	Intro         string          `json:"intro,omitempty"`
	Extends       string          `json:"extends,omitempty"`
	PracticeTypes []string        `json:"practice_types,omitempty"`
	Groups        []TemplateGroup `json:"groups"`
}

// TemplateGroup is a group of a template.
type TemplateGroup struct {
	Key    string         `json:"key"`
	Name   string         `json:"name,omitempty"`
	Area   string         `json:"area,omitempty"`
	Intro  string         `json:"intro,omitempty"`
	Before string         `json:"before,omitempty"`
	Items  []TemplateItem `json:"items"`
}

// TemplateItem is an item of a template. Owner names a role from the plan ("owner": who owns the
// migration, "sign_off": who signs off the final data) or is empty. Due is relative to the run:
// "start+3", "freeze-1", "go_live", optionally followed by a time of day ("freeze 17:00").
type TemplateItem struct {
	Key         string `json:"key"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Owner       string `json:"owner,omitempty"`
	Due         string `json:"due,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Kind        Kind   `json:"kind,omitempty"`
}

// templateFS is where templates are read from; tests may swap it.
var templateFS fs.FS = assets.Checklists

// Templates lists the shipped templates, the general one first.
func Templates() ([]Template, error) {
	entries, err := fs.ReadDir(templateFS, "checklists")
	if err != nil {
		return nil, fmt.Errorf("reading the checklist templates: %w", err)
	}
	var out []Template
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := fs.ReadFile(templateFS, path.Join("checklists", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading the checklist template %s: %w", e.Name(), err)
		}
		var t Template
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("reading the checklist template %s: %w", e.Name(), err)
		}
		out = append(out, t)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Extends == "") != (out[j].Extends == "") {
			return out[i].Extends == ""
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// TemplateFor returns the template for a kind of practice (plan's practice_type), merged with the
// general template it extends. An unknown or empty kind gets the general template.
func TemplateFor(practiceType string) (Template, error) {
	all, err := Templates()
	if err != nil {
		return Template{}, err
	}
	byID := map[string]Template{}
	for _, t := range all {
		byID[t.ID] = t
	}
	base, ok := byID["general"]
	if !ok {
		return Template{}, fmt.Errorf("the general checklist template is missing from this build of Ferry")
	}
	practiceType = strings.ToLower(strings.TrimSpace(practiceType))
	for _, t := range all {
		for _, pt := range t.PracticeTypes {
			if pt == practiceType && t.Extends != "" {
				parent, ok := byID[t.Extends]
				if !ok {
					return Template{}, fmt.Errorf("the %s checklist template extends %q, which is missing", t.ID, t.Extends)
				}
				return merge(parent, t), nil
			}
		}
	}
	return base, nil
}

func merge(base, ext Template) Template {
	out := base
	out.ID, out.Title, out.Extends, out.PracticeTypes = ext.ID, ext.Title, "", ext.PracticeTypes
	out.Groups = make([]TemplateGroup, len(base.Groups))
	for i, g := range base.Groups {
		g.Items = append([]TemplateItem(nil), g.Items...)
		out.Groups[i] = g
	}
	for _, eg := range ext.Groups {
		found := false
		for i := range out.Groups {
			if out.Groups[i].Key == eg.Key {
				out.Groups[i].Items = append(out.Groups[i].Items, eg.Items...)
				found = true
			}
		}
		if found {
			continue
		}
		at := len(out.Groups)
		for i := range out.Groups {
			if out.Groups[i].Key == eg.Before {
				at = i
			}
		}
		out.Groups = append(out.Groups[:at], append([]TemplateGroup{eg}, out.Groups[at:]...)...)
	}
	return out
}

// Areas lists the areas a template covers.
func (t Template) Areas() map[string]int {
	out := map[string]int{}
	for _, g := range t.Groups {
		out[g.Area] += len(g.Items)
	}
	return out
}

var dueRule = regexp.MustCompile(`^(start|freeze|go_live)\s*(?:([+-])\s*(\d+))?(?:\s+(\d{1,2}:\d{2}))?$`)

// resolveDue turns a template's relative due date into a date, given the run's known dates.
// It returns "" when the date it depends on is not known yet.
func resolveDue(rule string, dates map[string]time.Time) string {
	m := dueRule.FindStringSubmatch(strings.TrimSpace(rule))
	if m == nil {
		return ""
	}
	base, ok := dates[m[1]]
	if !ok {
		return ""
	}
	if m[3] != "" {
		n, _ := strconv.Atoi(m[3])
		if m[2] == "-" {
			n = -n
		}
		base = base.AddDate(0, 0, n)
	}
	if m[4] != "" {
		hm := m[4]
		if len(hm) == 4 {
			hm = "0" + hm
		}
		return base.Format(DateLayout) + " " + hm
	}
	return base.Format(DateLayout)
}

// runDates are the dates template due dates are relative to. Without a start date, the run is
// assumed to end at the data freeze after its time box.
func runDates(s Settings, pl plan.Plan) map[string]time.Time {
	out := map[string]time.Time{}
	for key, name := range map[string]string{"data_freeze": "freeze", "go_live": "go_live"} {
		if t, err := time.Parse(DateLayout, strings.TrimSpace(pl[key])); err == nil {
			out[name] = t
		}
	}
	if t, err := time.Parse(DateLayout, s.Start); err == nil {
		out["start"] = t
	} else if f, ok := out["freeze"]; ok {
		tb := s.TimeBoxDays
		if tb <= 0 {
			tb = DefaultTimeBox
		}
		out["start"] = f.AddDate(0, 0, -tb)
	}
	return out
}

// EnsureTemplate loads the template for the plan's kind of practice the first time, and does
// nothing once a checklist is there. It reports whether it loaded anything.
func EnsureTemplate(ctx context.Context, p *project.Project) (bool, error) {
	c, err := Load(ctx, p)
	if err != nil {
		return false, err
	}
	if c.Loaded() {
		return false, nil
	}
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return false, err
	}
	n, err := ApplyTemplate(ctx, p, pl["practice_type"])
	return n > 0, err
}

// ApplyTemplate adds the template's groups and items that the checklist does not have yet (by
// template key), so it can be run again on demand without duplicating anything. Owners and due
// dates are filled in from the plan. It returns how many items were added.
func ApplyTemplate(ctx context.Context, p *project.Project, practiceType string) (int, error) {
	t, err := TemplateFor(practiceType)
	if err != nil {
		return 0, err
	}
	pl, err := plan.Load(ctx, p)
	if err != nil {
		return 0, err
	}
	added := 0
	err = p.Write(ctx, func(tx *sql.Tx) error {
		c, err := loadTx(ctx, tx)
		if err != nil {
			return err
		}
		dates := runDates(c.Settings, pl)
		haveItem := map[string]bool{}
		groupByKey := map[string]int64{}
		for _, g := range c.Groups {
			if g.TemplateKey != "" {
				groupByKey[g.TemplateKey] = g.ID
			}
			for _, it := range g.Items {
				if it.TemplateKey != "" {
					haveItem[it.TemplateKey] = true
				}
			}
		}
		for _, tg := range t.Groups {
			gid, ok := groupByKey[tg.Key]
			if !ok {
				area := tg.Area
				if area == "" {
					area = AreaOther
				}
				gid, err = insertGroup(ctx, tx, tg.Name, area, tg.Intro, tg.Key)
				if err != nil {
					return err
				}
				groupByKey[tg.Key] = gid
			}
			for _, ti := range tg.Items {
				if haveItem[ti.Key] {
					continue
				}
				kind := ti.Kind
				if kind == "" {
					kind = Task
				}
				owner := ""
				if ti.Owner != "" {
					owner = strings.TrimSpace(pl[ti.Owner])
				}
				if _, err := insertItem(ctx, tx, gid, NewItem{Kind: kind, TemplateKey: ti.Key, Origin: OriginTemplate,
					Title: ti.Title, Description: ti.Description, Owner: owner, Due: resolveDue(ti.Due, dates),
					Required: ti.Required}); err != nil {
					return err
				}
				haveItem[ti.Key] = true
				added++
			}
		}
		if err := setSetting(ctx, tx, "template", t.ID); err != nil {
			return err
		}
		return p.Log(ctx, tx, "checklist.template", map[string]any{"template": t.ID, "practice_type": practiceType, "items_added": added}, nil)
	})
	if err != nil {
		return 0, fmt.Errorf("loading the %s checklist: %w", strings.ToLower(t.Title), err)
	}
	return added, nil
}

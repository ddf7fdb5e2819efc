package checklist_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
)

var ctx = context.Background()

func newProject(t *testing.T, answers map[string]string) *project.Project {
	t.Helper()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "Harbour View.ferry"), project.Options{Actor: "Dana"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for k, v := range answers {
		if err := plan.Set(ctx, p, k, v); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

var dentalPlan = map[string]string{"practice_type": "dental", "owner": "Dana Reyes", "sign_off": "Dr Lee",
	"data_freeze": "2027-02-26", "go_live": "2027-03-01"}

func findItem(c *checklist.Checklist, key string) *checklist.Item {
	for _, g := range c.Groups {
		for _, it := range g.Items {
			if it.TemplateKey == key {
				return it
			}
		}
	}
	return nil
}

func TestEveryTemplateCoversEveryAreaOfAParallelRun(t *testing.T) {
	f, _ := plan.FieldByKey("practice_type")
	for _, kind := range append([]string{""}, f.Options...) {
		tpl, err := checklist.TemplateFor(kind)
		if err != nil {
			t.Fatalf("%q: %v", kind, err)
		}
		areas := tpl.Areas()
		for _, a := range checklist.RequiredAreas {
			if areas[a] == 0 {
				t.Errorf("%s template (%q) has no items for %s", tpl.ID, kind, a)
			}
		}
		keys := map[string]bool{}
		signoffs := 0
		for _, g := range tpl.Groups {
			if g.Name == "" || g.Intro == "" {
				t.Errorf("%s: group %s without a name or introduction", tpl.ID, g.Key)
			}
			for _, it := range g.Items {
				if keys[it.Key] {
					t.Errorf("%s: item key %s twice", tpl.ID, it.Key)
				}
				keys[it.Key] = true
				if it.Title == "" || len(it.Description) < 40 {
					t.Errorf("%s: item %s needs a title and a description a practice manager can act on", tpl.ID, it.Key)
				}
				if it.Owner != "" && it.Owner != "owner" && it.Owner != "sign_off" {
					t.Errorf("%s: item %s names an unknown role %q", tpl.ID, it.Key, it.Owner)
				}
				if it.Kind == checklist.SignOff {
					signoffs++
				}
			}
		}
		if signoffs == 0 || !keys["signoff.final-data"] {
			t.Errorf("%s: the business owner's sign-off of the final data is missing", tpl.ID)
		}
	}
	// Each kind of practice has its own extra items on top of the general ones.
	for kind, key := range map[string]string{"dental": "dental.imaging", "medical": "medical.results",
		"physiotherapy": "physio.funders", "veterinary": "vet.lab", "law": "law.trust-ledger", "accounting": "acct.deadlines"} {
		tpl, _ := checklist.TemplateFor(kind)
		found := false
		for _, g := range tpl.Groups {
			for _, it := range g.Items {
				found = found || it.Key == key
			}
		}
		if !found {
			t.Errorf("%s template lacks %s", kind, key)
		}
	}
	law, _ := checklist.TemplateFor("law")
	if law.Groups[2].Name != "Trust accounting" {
		t.Errorf("law: trust accounting should come before integrations, groups are %v", law.Groups[2].Name)
	}
}

func TestTemplateLoadsOnceWithOwnersAndDatesFromThePlan(t *testing.T) {
	p := newProject(t, dentalPlan)
	loaded, err := checklist.EnsureTemplate(ctx, p)
	if err != nil || !loaded {
		t.Fatalf("first load: %v %v", loaded, err)
	}
	c, err := checklist.Load(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := checklist.TemplateFor("dental")
	want := 0
	for _, g := range tpl.Groups {
		want += len(g.Items)
	}
	if got := c.Summary(time.Now()).Total; got != want {
		t.Fatalf("%d items loaded, template has %d", got, want)
	}
	if c.Settings.Template != "dental" {
		t.Fatalf("template %q", c.Settings.Template)
	}
	final := findItem(c, "signoff.final-data")
	if final == nil || final.Owner != "Dr Lee" || final.Due != "2027-03-01" || final.Kind != checklist.SignOff || !final.Required {
		t.Fatalf("final sign-off %+v", final)
	}
	if lock := findItem(c, "freeze.lock"); lock.Due != "2027-02-26 17:00" || lock.Owner != "Dana Reyes" {
		t.Fatalf("freeze lock %+v", lock)
	}
	// Without a start date, the run is taken to end at the freeze after the two-week time box.
	if first := findItem(c, "workflow.shadow-a-day"); first.Due != "2027-02-15" {
		t.Fatalf("shadow a day due %q", first.Due)
	}
	if findItem(c, "dental.imaging") == nil {
		t.Fatal("dental items missing")
	}

	if again, _ := checklist.EnsureTemplate(ctx, p); again {
		t.Fatal("template loaded twice")
	}
	if err := checklist.DeleteItem(ctx, p, findItem(c, "dental.lab").ID); err != nil {
		t.Fatal(err)
	}
	n, err := checklist.ApplyTemplate(ctx, p, "dental")
	if err != nil || n != 1 {
		t.Fatalf("re-applying the template added %d (%v); want just the deleted item back", n, err)
	}
	n, _ = checklist.ApplyTemplate(ctx, p, "law")
	c, _ = checklist.Load(ctx, p)
	if n == 0 || findItem(c, "law.trust-ledger") == nil || c.Settings.Template != "law" {
		t.Fatalf("law template on demand: %d added", n)
	}
}

func titles(g *checklist.Group) []string {
	var out []string
	for _, it := range g.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestItemsReorderWithinAndAcrossGroups(t *testing.T) {
	p := newProject(t, nil)
	a, _ := checklist.AddGroup(ctx, p, "Front desk")
	b, _ := checklist.AddGroup(ctx, p, "Billing")
	var ids []int64
	for _, title := range []string{"one", "two", "three"} {
		id, err := checklist.AddItem(ctx, p, a, checklist.NewItem{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	x, _ := checklist.AddItem(ctx, p, b, checklist.NewItem{Title: "x"})

	if err := checklist.MoveItem(ctx, p, ids[2], a, 0); err != nil {
		t.Fatal(err)
	}
	c, _ := checklist.Load(ctx, p)
	if got := strings.Join(titles(c.Group(a)), ","); got != "three,one,two" {
		t.Fatalf("within a group: %s", got)
	}
	if err := checklist.MoveItem(ctx, p, ids[0], b, 1); err != nil {
		t.Fatal(err)
	}
	c, _ = checklist.Load(ctx, p)
	if got := strings.Join(titles(c.Group(a)), ","); got != "three,two" {
		t.Fatalf("source group after moving out: %s", got)
	}
	if got := strings.Join(titles(c.Group(b)), ","); got != "x,one" {
		t.Fatalf("target group: %s", got)
	}
	if c.Item(ids[0]).GroupID != b || c.Item(x).GroupID != b {
		t.Fatal("group ids not updated")
	}
	if err := checklist.MoveGroup(ctx, p, b, 0); err != nil {
		t.Fatal(err)
	}
	if err := checklist.RenameGroup(ctx, p, b, "Billing and payments"); err != nil {
		t.Fatal(err)
	}
	c, _ = checklist.Load(ctx, p)
	if c.Groups[0].Name != "Billing and payments" || c.Groups[1].ID != a {
		t.Fatalf("groups after move: %s, %s", c.Groups[0].Name, c.Groups[1].Name)
	}
	if err := checklist.DeleteGroup(ctx, p, a); !errors.Is(err, checklist.ErrGroupNotEmpty) {
		t.Fatalf("deleting a group with items: %v", err)
	}
	if err := checklist.MoveItem(ctx, p, ids[1], b, 99); err != nil {
		t.Fatal(err)
	}
	if err := checklist.MoveItem(ctx, p, ids[2], b, 99); err != nil {
		t.Fatal(err)
	}
	if err := checklist.DeleteGroup(ctx, p, a); err != nil {
		t.Fatalf("deleting an empty group: %v", err)
	}
	c, _ = checklist.Load(ctx, p)
	if got := strings.Join(titles(c.Group(b)), ","); len(c.Groups) != 1 || got != "x,one,two,three" {
		t.Fatalf("after emptying: %d groups, %s", len(c.Groups), got)
	}
}

func actions(t *testing.T, p *project.Project) []custody.Event {
	t.Helper()
	evs, err := custody.List(ctx, p.Reader(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestStatusSignOffAndEvidenceAreRecordedAndSurviveReopening(t *testing.T) {
	p := newProject(t, dentalPlan)
	if _, err := checklist.EnsureTemplate(ctx, p); err != nil {
		t.Fatal(err)
	}
	c, _ := checklist.Load(ctx, p)
	task := findItem(c, "reports.takings")
	sign := findItem(c, "signoff.final-data")

	if err := checklist.SetStatus(ctx, p, task.ID, checklist.Done); err != nil {
		t.Fatal(err)
	}
	shot := []byte("\x89PNG screenshot of both takings reports")
	ev, err := checklist.Attach(ctx, p, task.ID, "/home/dana/takings 3 March.png", shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := checklist.Sign(ctx, p, task.ID, "Dr Lee"); !errors.Is(err, checklist.ErrNotSignOff) {
		t.Fatalf("signing a task: %v", err)
	}
	if err := checklist.SetStatus(ctx, p, sign.ID, checklist.Done); !errors.Is(err, checklist.ErrSignToClose) {
		t.Fatalf("a sign-off marked done without a signature: %v", err)
	}
	if err := checklist.Sign(ctx, p, sign.ID, "Dr Amelia Lee"); err != nil {
		t.Fatal(err)
	}
	note := "Checked 3 March: both show 4,210.00"
	if err := checklist.UpdateItem(ctx, p, task.ID, checklist.Patch{Notes: &note}); err != nil {
		t.Fatal(err)
	}
	bad := "next Tuesday"
	if err := checklist.UpdateItem(ctx, p, task.ID, checklist.Patch{Due: &bad}); err == nil {
		t.Fatal("an unreadable due date was saved")
	}

	path := p.Path
	p.Close()
	p, err = project.Open(ctx, path, project.Options{Actor: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, _ = checklist.Load(ctx, p)
	task, sign = c.Item(task.ID), c.Item(sign.ID)
	if task.Status != checklist.Done || task.CheckedBy != "Dana" || task.CheckedAt.IsZero() || task.Notes != note {
		t.Fatalf("task after reopening: %+v", task)
	}
	if len(task.Evidence) != 1 || task.Evidence[0].Name != "takings 3 March.png" || task.Evidence[0].Size != int64(len(shot)) {
		t.Fatalf("evidence after reopening: %+v", task.Evidence)
	}
	sum := sha256.Sum256(shot)
	if task.Evidence[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatal("evidence fingerprint")
	}
	_, data, err := checklist.EvidenceData(ctx, p, ev.ID)
	if err != nil || string(data) != string(shot) {
		t.Fatalf("evidence bytes: %q %v", data, err)
	}
	if sign.SignedBy != "Dr Amelia Lee" || sign.SignedAt.IsZero() || sign.Status != checklist.Done {
		t.Fatalf("sign-off after reopening: %+v", sign)
	}

	// Re-opening a signed item withdraws the signature, and says so in the log.
	if err := checklist.SetStatus(ctx, p, sign.ID, checklist.Open); err != nil {
		t.Fatal(err)
	}
	c, _ = checklist.Load(ctx, p)
	if c.Item(sign.ID).SignedBy != "" {
		t.Fatal("signature kept after reopening the item")
	}

	seen := map[string]custody.Event{}
	for _, e := range actions(t, p) {
		seen[e.Action] = e
	}
	for _, a := range []string{"checklist.template", "checklist.item.status", "checklist.evidence.attach", "checklist.signoff", "checklist.item.edit"} {
		if _, ok := seen[a]; !ok {
			t.Errorf("no %s event in the custody log", a)
		}
	}
	if seen["checklist.evidence.attach"].Inputs["takings 3 March.png"] != hex.EncodeToString(sum[:]) {
		t.Errorf("evidence fingerprint not in the log: %v", seen["checklist.evidence.attach"].Inputs)
	}
	var st map[string]any
	json.Unmarshal(seen["checklist.item.status"].Params, &st)
	if st["signature_withdrawn"] != "Dr Amelia Lee" || seen["checklist.item.status"].Actor != "Sam" {
		t.Errorf("withdrawal event %s by %s", seen["checklist.item.status"].Params, seen["checklist.item.status"].Actor)
	}
	if rep, _ := p.Verify(ctx); !rep.OK {
		t.Fatalf("custody chain: %s", rep)
	}
}

func TestSummarySaysWhatBlocksGoLiveAndWhenTheRunOverstays(t *testing.T) {
	p := newProject(t, nil)
	g, _ := checklist.AddGroup(ctx, p, "Checks")
	req, _ := checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "Takings match", Required: true, Due: "2027-03-02"})
	opt, _ := checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "Nice to have", Due: "2027-03-02"})
	blk, _ := checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "SMS link", Required: true, Status: checklist.Blocked})
	sg, _ := checklist.AddItem(ctx, p, g, checklist.NewItem{Title: "Final data", Kind: checklist.SignOff, Required: true})
	checklist.SetStatus(ctx, p, opt, checklist.NotApplicable)
	if err := checklist.SetStart(ctx, p, "2027-03-01"); err != nil {
		t.Fatal(err)
	}
	if err := checklist.SetTimeBox(ctx, p, 10); err != nil {
		t.Fatal(err)
	}
	if err := checklist.SetStart(ctx, p, "1 March"); err == nil {
		t.Fatal("unreadable start date saved")
	}

	c, _ := checklist.Load(ctx, p)
	s := c.Summary(time.Date(2027, 3, 5, 15, 0, 0, 0, time.Local))
	if !s.Started || s.DaysElapsed != 4 || s.OverTimeBox || s.TimeBox != 10 {
		t.Fatalf("day 5: %+v", s)
	}
	reasons := map[int64]string{}
	for _, b := range s.Blockers {
		reasons[b.Item.ID] = b.Reason
	}
	if len(reasons) != 3 || reasons[req] != "not done yet" || reasons[blk] != "blocked" || reasons[sg] != "not signed yet" {
		t.Fatalf("blockers %v", reasons)
	}
	if len(s.Overdue) != 1 || s.Overdue[0].ID != req {
		t.Fatalf("overdue %v", s.Overdue)
	}
	if s.ByStatus[checklist.Open] != 2 || s.Closed != 1 || s.Ready() {
		t.Fatalf("counts %+v", s)
	}
	s = c.Summary(time.Date(2027, 3, 14, 9, 0, 0, 0, time.Local))
	if !s.OverTimeBox || s.DaysOver != 3 {
		t.Fatalf("day 14: %+v", s)
	}

	checklist.SetStatus(ctx, p, req, checklist.Done)
	checklist.SetStatus(ctx, p, blk, checklist.NotApplicable)
	checklist.Sign(ctx, p, sg, "Dr Lee")
	c, _ = checklist.Load(ctx, p)
	if s := c.Summary(time.Now()); !s.Ready() {
		t.Fatalf("everything done but not ready: %+v", s.Blockers)
	}
}

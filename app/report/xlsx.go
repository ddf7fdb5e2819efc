package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/app/reconcile"
)

// sheetWriter appends rows to one sheet; every text goes through Safe.
type sheetWriter struct {
	f    *excelize.File
	name string
	row  int
	bold int
}

func (s *sheetWriter) add(vals ...any) {
	s.row++
	out := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case string:
			out[i] = Safe(x)
		case money:
			if r, err := strconv.ParseFloat(string(x), 64); err == nil && string(x) != "" {
				out[i] = r // a number cell for display; the exact text is in the reconciliation
			} else {
				out[i] = Safe(string(x))
			}
		default:
			out[i] = v
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	_ = s.f.SetSheetRow(s.name, cell, &out)
}

func (s *sheetWriter) header(vals ...any) {
	s.add(vals...)
	from, _ := excelize.CoordinatesToCellName(1, s.row)
	to, _ := excelize.CoordinatesToCellName(max(1, len(vals)), s.row)
	_ = s.f.SetCellStyle(s.name, from, to, s.bold)
}

func (s *sheetWriter) blank() { s.row++ }

// money is an exact amount as text, written as a number cell.
type money string

// WriteXLSX writes the workbook.
func (pk *Pack) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	sheet := func(name string, widths ...float64) *sheetWriter {
		if name == "Summary" {
			_ = f.SetSheetName("Sheet1", name)
		} else {
			_, _ = f.NewSheet(name)
		}
		for i, wd := range widths {
			col, _ := excelize.ColumnNumberToName(i + 1)
			_ = f.SetColWidth(name, col, col, wd)
		}
		return &sheetWriter{f: f, name: name, bold: bold}
	}
	res := pk.Result

	s := sheet("Summary", 34, 18, 18, 18, 18)
	s.header("Migration reconciliation", pk.Practice)
	s.add("Verdict", res.Verdict)
	s.add("Old system", pk.Legacy)
	s.add("New system", pk.NewSystem)
	s.add("Destination", res.Destination.Name)
	s.add("Checked against", sourceWords(res))
	s.add("Reconciled at", res.At)
	s.add("Report generated", pk.Generated.Format("2006-01-02 15:04"))
	if pk.Redacted {
		s.add("Redacted", "patient names and contact details are replaced with "+Redaction)
	}
	s.blank()
	s.add("Legacy records (after cleanse)", res.Records)
	s.add("Reconciled (found as sent)", res.Reconciled)
	s.add("Records with a difference", int64(res.Differences))
	for _, k := range sortedKeys(res.ByKind) {
		s.add("  "+kindWords(k), int64(res.ByKind[k]))
	}
	s.blank()
	s.header("Money field", "Old data", "New system", "Difference", "Equal")
	for _, m := range res.Sums {
		eq := "not read back"
		if m.New != "" {
			eq = map[bool]string{true: "yes", false: "NO"}[m.Equal]
		}
		s.add(m.Entity+"."+m.Field, money(m.Legacy), money(m.New), money(m.Diff), eq)
	}
	for _, n := range res.Notes {
		s.add("Note", n)
	}

	for _, e := range res.Entities {
		name := sheetName(e.Entity)
		es := sheet(name, 36, 14, 60)
		es.header(e.Entity, "Records", "")
		es.add("Legacy rows imported ("+e.Table+")", e.Imported)
		for _, r := range e.Purged {
			es.add("  purged: "+r.Reason, -r.Rows)
		}
		es.add("  merged into a duplicate", -e.Merged)
		es.add("= staged after cleanse", e.Staged)
		es.add("  invalid, not sent", -e.Invalid)
		es.add("  rejected by the new system", -e.Rejected)
		es.add("  failed", -e.Failed)
		es.add("  still missing (not sent)", -e.Missing)
		es.add("= loaded", e.Loaded)
		es.add("Adds up", map[bool]string{true: "yes", false: "NO"}[e.AddsUp()])
		if e.ReadBack {
			es.blank()
			es.header("Read back from the new system", "Records", "")
			es.add("found as sent", e.Matched)
			es.add("found with a change", e.Changed)
			es.add("not found", e.NotFound)
			es.add("duplicates in the new system", e.Duplicates)
			es.add("extra, not from Ferry", e.Extra)
			es.add("fields compared", "", strings.Join(e.Compared, ", "))
		}
		es.blank()
		es.header("Legacy key", "Kind", "Detail")
		for _, d := range res.Diffs {
			if d.Entity == e.Entity {
				es.add(d.Key, kindWords(d.Kind), pk.diffDetail(d))
			}
		}
	}

	ds := sheet("Differences", 16, 14, 16, 14, 20, 28, 28, 50)
	ds.header("Entity", "Legacy key", "New id", "Kind", "Field", "Sent", "Found", "Detail")
	for _, d := range res.Diffs {
		ds.add(d.Entity, d.Key, d.NewID, kindWords(d.Kind), d.Field, pk.value(d.Entity, d.Field, d.Sent), pk.value(d.Entity, d.Field, d.Found), d.Detail)
	}
	for _, m := range res.Sums {
		for _, a := range m.Accounts {
			ds.add(m.Entity, "", "", "money per "+m.By, m.Field, money(a.Legacy), money(a.New), fmt.Sprintf("%s %s: difference %s", m.By, a.Account, a.Diff))
		}
	}

	ps := sheet("Purges", 16, 10, 10, 14, 50)
	ps.header("Table", "Row", "Line", "Legacy key", "Reason")
	ms := sheet("Merges", 16, 14, 12, 14, 12, 12)
	ms.header("Table", "Merged key", "Merged row", "Survivor key", "Survivor row", "Operation")
	for _, r := range pk.Purges {
		if r.Kind == "purge" {
			ps.add(r.Table, r.Row, r.Line, r.Key, r.Reason)
		}
	}
	for _, m := range pk.Merges {
		ms.add(m.Table, m.MergedKey, m.MergedRow, m.SurvivorKey, m.SurvivorRow, m.OpID)
	}

	rs := sheet("Results", 8, 10, 10, 20, 22, 22, 14, 60)
	rs.header("Run", "Mode", "State", "Destination", "Started", "Finished", "By", "Records by outcome")
	for _, r := range pk.Runs {
		var parts []string
		for _, k := range sortedKeys(r.ByStatus) {
			parts = append(parts, fmt.Sprintf("%s %d", k, r.ByStatus[k]))
		}
		rs.add(r.ID, r.Mode, r.State, r.Destination, r.Started, r.Finished, r.Actor, strings.Join(parts, ", "))
	}

	cs := sheet("Checklist", 24, 50, 14, 12, 14, 18, 18)
	cs.header("Group", "Item", "Status", "Required", "Owner", "Checked by", "Signed by")
	if pk.Checklist != nil {
		for _, g := range pk.Checklist.Groups {
			for _, it := range g.Items {
				cs.add(g.Name, it.Title, string(it.Status), map[bool]string{true: "yes", false: ""}[it.Required], it.Owner, it.CheckedBy, it.SignedBy)
			}
		}
	}

	ls := sheet("Custody log", 8, 22, 16, 16, 22, 70, 66)
	ls.header("Seq", "At", "Who", "Machine", "Action", "Parameters", "Hash")
	for _, e := range pk.Custody {
		params := e.Params
		if pk.Redacted {
			params = "(left out of a redacted report)"
		} else if len(params) > 2000 {
			params = params[:2000] + "…"
		}
		ls.add(e.Seq, e.At, e.Actor, e.Machine, e.Action, params, e.Hash)
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

func (pk *Pack) diffDetail(d reconcile.Diff) string {
	if d.Kind == reconcile.KindChanged {
		return fmt.Sprintf("%s: sent %q, found %q", d.Field, pk.value(d.Entity, d.Field, d.Sent), pk.value(d.Entity, d.Field, d.Found))
	}
	return d.Detail
}

// sheetName makes an entity's name a valid, distinct sheet name.
func sheetName(entity string) string {
	n := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, entity)
	switch n {
	case "Summary", "Differences", "Purges", "Merges", "Results", "Checklist", "Custody log":
		n = "Entity " + n
	}
	if len([]rune(n)) > 31 {
		n = string([]rune(n)[:31])
	}
	return n
}

func sourceWords(res *reconcile.Result) string {
	switch res.Source {
	case reconcile.SourceExport:
		var names []string
		for _, s := range res.Sources {
			names = append(names, s.Name)
		}
		return "the new system's export (" + strings.Join(names, ", ") + ")"
	case reconcile.SourceAPI:
		return "the new system, read over its API"
	}
	return "the load's own records only (not read back)"
}

func kindWords(k string) string {
	switch k {
	case reconcile.KindMissing:
		return "missing in the new system"
	case reconcile.KindChanged:
		return "changed after the load"
	case reconcile.KindDuplicate:
		return "duplicate in the new system"
	case reconcile.KindExtra:
		return "extra, not from Ferry"
	case reconcile.KindNotLoaded:
		return "not loaded"
	}
	return k
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

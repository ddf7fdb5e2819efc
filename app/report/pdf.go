package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/ferry-migrate/ferry/app/checklist"
	"github.com/ferry-migrate/ferry/app/reconcile"
)

// Colours of the pack (RGB).
var (
	colInk   = [3]int{33, 37, 41}
	colMuted = [3]int{108, 117, 125}
	colGood  = [3]int{25, 135, 84}
	colBad   = [3]int{196, 43, 28}
	colThen  = [3]int{173, 181, 189}
	colNow   = [3]int{13, 110, 253}
	colLoad  = [3]int{25, 135, 84}
	colOut   = [3]int{255, 193, 7}
)

type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

func (d *pdfDoc) color(c [3]int)       { d.SetTextColor(c[0], c[1], c[2]) }
func (d *pdfDoc) fill(c [3]int)        { d.SetFillColor(c[0], c[1], c[2]) }
func (d *pdfDoc) text(s string) string { return d.tr(Safe(s)) }

func (d *pdfDoc) heading(s string) {
	d.Ln(3)
	d.SetFont("Helvetica", "B", 13)
	d.color(colInk)
	d.CellFormat(0, 8, d.text(s), "", 1, "L", false, 0, "")
	d.SetFont("Helvetica", "", 10)
}

func (d *pdfDoc) para(s string) {
	d.SetFont("Helvetica", "", 10)
	d.MultiCell(0, 5, d.text(s), "", "L", false)
}

// row writes one table row with the given widths; the first cell left-aligned, the rest right.
func (d *pdfDoc) row(widths []float64, cells []string, bold bool) {
	d.rowAligned(widths, cells, bold, "R")
}

func (d *pdfDoc) rowAligned(widths []float64, cells []string, bold bool, rest string) {
	style := ""
	if bold {
		style = "B"
	}
	d.SetFont("Helvetica", style, 9)
	for i, c := range cells {
		align := rest
		if i == 0 {
			align = "L"
		}
		border := ""
		if bold {
			border = "B"
		}
		d.CellFormat(widths[i], 6, d.text(truncate(c, int(widths[i]/1.7))), border, 0, align, false, 0, "")
	}
	d.Ln(6)
}

func (d *pdfDoc) need(h float64) {
	_, ph := d.GetPageSize()
	_, _, _, bm := d.GetMargins()
	if d.GetY()+h > ph-bm {
		d.AddPage()
	}
}

// WritePDF writes the sign-off pack.
func (pk *Pack) WritePDF(w io.Writer) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	res := pk.Result
	f.SetMargins(18, 18, 18)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetTitle(d.tr("Migration sign-off pack: "+pk.Practice), false)
	f.SetCreator("Ferry", false)
	f.SetFooterFunc(func() {
		f.SetY(-13)
		f.SetFont("Helvetica", "", 8)
		d.color(colMuted)
		left := pk.Practice + " - migration sign-off pack - " + pk.Generated.Format("2 January 2006")
		if pk.Redacted {
			left += " - redacted"
		}
		f.CellFormat(0, 5, d.text(left), "", 0, "L", false, 0, "")
		f.CellFormat(0, 5, fmt.Sprintf("page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		d.color(colInk)
	})

	// Summary and key figures.
	f.AddPage()
	f.SetFont("Helvetica", "B", 20)
	d.color(colInk)
	f.CellFormat(0, 10, d.text("Migration sign-off pack"), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 11)
	d.color(colMuted)
	sub := pk.Practice
	if pk.Legacy != "" || pk.NewSystem != "" {
		sub += ": " + orDash(pk.Legacy) + " to " + orDash(pk.NewSystem)
	}
	f.CellFormat(0, 6, d.text(sub), "", 1, "L", false, 0, "")
	d.color(colInk)
	f.Ln(4)
	good := res.Differences == 0 && res.Source != reconcile.SourceLog
	bg := colBad
	if good {
		bg = colGood
	}
	d.fill(bg)
	f.SetTextColor(255, 255, 255)
	f.SetFont("Helvetica", "B", 16)
	f.CellFormat(0, 14, d.text("  "+res.Verdict), "", 1, "L", true, 0, "")
	d.color(colInk)
	f.Ln(2)
	d.para(fmt.Sprintf("Checked against %s, at %s. Destination: %s. Load runs: %s.", sourceWords(res), res.At,
		orDash(res.Destination.Name), runList(res.Runs)))

	d.heading("Key figures")
	wk := []float64{110, 64}
	d.row(wk, []string{"Legacy records after cleanse", thousands(res.Records)}, false)
	var imported, purged, merged, loaded int64
	for _, e := range res.Entities {
		imported += e.Imported
		purged += e.PurgedN
		merged += e.Merged
		loaded += e.Loaded
	}
	d.row(wk, []string{"Legacy rows imported", thousands(imported)}, false)
	d.row(wk, []string{"Purged in Cleanse (with a reason each)", thousands(purged)}, false)
	d.row(wk, []string{"Merged into a duplicate", thousands(merged)}, false)
	d.row(wk, []string{"Loaded into the new system", thousands(loaded)}, false)
	if res.Source != reconcile.SourceLog {
		d.row(wk, []string{"Found in the new system exactly as sent", thousands(res.Reconciled)}, false)
	}
	d.row(wk, []string{"Records with a difference", thousands(int64(res.Differences))}, true)
	for _, k := range sortedKeys(res.ByKind) {
		d.row(wk, []string{"   " + kindWords(k), thousands(int64(res.ByKind[k]))}, false)
	}
	if len(res.Sums) > 0 {
		d.heading("Money")
		wm := []float64{62, 36, 36, 26, 14}
		d.row(wm, []string{"Field", "Old data", "New system", "Difference", ""}, true)
		for _, m := range res.Sums {
			mark := "n/a"
			if m.New != "" {
				mark = map[bool]string{true: "ok", false: "NO"}[m.Equal]
			}
			d.row(wm, []string{m.Entity + "." + m.Field, m.Legacy, orDash(m.New), orDash(m.Diff), mark}, false)
		}
	}

	// The waterfall per entity, as a table and as bars.
	d.need(80)
	d.heading("Every record accounted for")
	ww := []float64{38, 20, 18, 18, 18, 20, 20, 22}
	d.row(ww, []string{"Entity", "Imported", "Purged", "Merged", "Invalid", "Loaded", "Rejected", "Not loaded"}, true)
	for _, e := range res.Entities {
		d.row(ww, []string{e.Entity, thousands(e.Imported), thousands(e.PurgedN), thousands(e.Merged), thousands(e.Invalid),
			thousands(e.Loaded), thousands(e.Rejected), thousands(e.Failed + e.Missing)}, false)
	}
	d.Ln(2)
	pk.waterfallChart(d)

	// Audit findings then and now.
	if len(pk.Audit.Kinds) > 0 {
		d.need(30 + float64(len(pk.Audit.Kinds))*7)
		d.heading("Data quality: audit findings then and now")
		if pk.Audit.ThenRun == pk.Audit.NowRun {
			d.para("The data has been audited once; audit it again (ferry reconcile does) to compare.")
		} else {
			d.para(fmt.Sprintf("Grey: the first audit (%s); blue: the newest (%s). Counts of affected values or rows.", pk.Audit.ThenAt, pk.Audit.NowAt))
		}
		pk.auditChart(d)
	}

	// Exceptions.
	f.AddPage()
	d.heading("Exceptions")
	if len(res.Diffs) == 0 {
		d.para("None: every record was found in the new system as it was sent.")
	} else {
		we := []float64{28, 22, 34, 90}
		d.rowAligned(we, []string{"Entity", "Key", "Kind", "Detail"}, true, "L")
		for i, df := range res.Diffs {
			if i == 60 {
				d.para(fmt.Sprintf("... and %d more: the workbook (Differences sheet) lists every one.", len(res.Diffs)-i))
				break
			}
			d.need(7)
			d.SetFont("Helvetica", "", 8)
			d.CellFormat(we[0], 5, d.text(truncate(df.Entity, 18)), "", 0, "L", false, 0, "")
			d.CellFormat(we[1], 5, d.text(truncate(df.Key, 14)), "", 0, "L", false, 0, "")
			d.CellFormat(we[2], 5, d.text(kindWords(df.Kind)), "", 0, "L", false, 0, "")
			d.MultiCell(we[3], 5, d.text(pk.diffDetail(df)), "", "L", false)
		}
	}
	for _, m := range res.Sums {
		for i, a := range m.Accounts {
			if i == 0 {
				d.Ln(2)
				d.para(fmt.Sprintf("%s.%s differs for %d accounts (by %s):", m.Entity, m.Field, len(m.Accounts), m.By))
			}
			if i == 20 {
				d.para("...")
				break
			}
			d.para(fmt.Sprintf("   %s: old %s, new %s (difference %s)", orDash(a.Account), a.Legacy, a.New, a.Diff))
		}
	}
	for _, n := range res.Notes {
		d.para("Note: " + n)
	}

	// Checklist.
	d.need(40)
	d.heading("Parallel run checklist")
	if pk.Checklist == nil || !pk.Checklist.Loaded() {
		d.para("No checklist was kept for this migration.")
	} else {
		s := pk.Checklist.Summary(pk.Generated)
		var parts []string
		for _, st := range []checklist.Status{checklist.Done, checklist.NotApplicable, checklist.InProgress, checklist.Open, checklist.Blocked} {
			if n := s.ByStatus[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, st))
			}
		}
		d.para(fmt.Sprintf("%d items (%d required): %s. %d closed, %d evidence files.", s.Total, s.Required, strings.Join(parts, ", "), s.Closed, s.Evidence))
		for i, b := range s.Blockers {
			if i == 10 {
				break
			}
			d.para("Open: " + b.Item.Title + " (" + b.Reason + ")")
		}
	}

	// Sign-off.
	d.need(90)
	d.heading("Sign-off")
	d.para("By signing, each person confirms they have read this pack and accept the migration as reconciled, " +
		"with the exceptions listed.")
	f.Ln(4)
	for _, who := range []struct{ role, name string }{{"Practice owner", pk.SignOff}, {"Practice manager", pk.Owner}, {"Migration consultant", ""}} {
		d.need(24)
		f.SetFont("Helvetica", "B", 10)
		f.CellFormat(0, 6, d.text(who.role), "", 1, "L", false, 0, "")
		f.SetFont("Helvetica", "", 9)
		y := f.GetY() + 9
		f.SetDrawColor(120, 120, 120)
		f.Line(18, y, 88, y)
		f.Line(96, y, 156, y)
		f.Line(162, y, 192, y)
		f.SetXY(18, y+1)
		d.color(colMuted)
		f.CellFormat(78, 4, d.text("Name "+who.name), "", 0, "L", false, 0, "")
		f.CellFormat(66, 4, d.text("Signature"), "", 0, "L", false, 0, "")
		f.CellFormat(30, 4, d.text("Date"), "", 1, "L", false, 0, "")
		d.color(colInk)
		f.Ln(6)
	}
	return f.Output(w)
}

// waterfallChart draws one horizontal stacked bar per entity: loaded, then what did not arrive,
// purged and merged, all as shares of the rows imported.
func (pk *Pack) waterfallChart(d *pdfDoc) {
	res := pk.Result
	if len(res.Entities) == 0 {
		return
	}
	x0, barW := 58.0, 120.0
	d.need(float64(len(res.Entities))*8 + 14)
	for _, e := range res.Entities {
		y := d.GetY()
		d.SetFont("Helvetica", "", 8)
		d.SetXY(18, y)
		d.CellFormat(40, 6, d.text(e.Entity), "", 0, "L", false, 0, "")
		if e.Imported > 0 {
			x := x0
			for _, part := range []struct {
				n int64
				c [3]int
			}{{e.Loaded, colLoad}, {e.Rejected + e.Failed + e.Missing + e.Invalid, colBad}, {e.PurgedN, colOut}, {e.Merged, colThen}} {
				w := barW * float64(part.n) / float64(e.Imported)
				if w > 0 {
					d.fill(part.c)
					d.Rect(x, y+1, w, 4.5, "F")
					x += w
				}
			}
		}
		d.SetXY(x0+barW+2, y)
		d.CellFormat(0, 6, thousands(e.Imported), "", 1, "L", false, 0, "")
	}
	// Legend.
	y := d.GetY() + 1
	x := x0
	for _, l := range []struct {
		t string
		c [3]int
	}{{"loaded", colLoad}, {"not loaded", colBad}, {"purged", colOut}, {"merged", colThen}} {
		d.fill(l.c)
		d.Rect(x, y+1, 3, 3, "F")
		d.SetXY(x+4, y)
		d.CellFormat(24, 5, l.t, "", 0, "L", false, 0, "")
		x += 28
	}
	d.SetXY(18, y+7)
}

// auditChart draws two bars per finding kind: the first audit and the newest.
func (pk *Pack) auditChart(d *pdfDoc) {
	a := pk.Audit
	var top int64 = 1
	for _, k := range a.Kinds {
		top = max(top, a.Then[k], a.Now[k])
	}
	x0, barW := 62.0, 100.0
	for _, k := range a.Kinds {
		d.need(9)
		y := d.GetY()
		d.SetFont("Helvetica", "", 8)
		d.SetXY(18, y)
		d.CellFormat(44, 7, d.text(strings.ReplaceAll(k, "_", " ")), "", 0, "L", false, 0, "")
		for i, side := range []struct {
			n int64
			c [3]int
		}{{a.Then[k], colThen}, {a.Now[k], colNow}} {
			w := barW * float64(side.n) / float64(top)
			d.fill(side.c)
			if w > 0 {
				d.Rect(x0, y+0.5+float64(i)*3.2, w, 2.8, "F")
			}
		}
		d.SetXY(x0+barW+2, y)
		d.CellFormat(0, 7, fmt.Sprintf("%s -> %s", thousands(a.Then[k]), thousands(a.Now[k])), "", 1, "L", false, 0, "")
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if n < 4 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "..."
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runList(runs []int64) string {
	if len(runs) == 0 {
		return "none"
	}
	var s []string
	for _, r := range runs {
		s = append(s, fmt.Sprint(r))
	}
	return strings.Join(s, ", ")
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

package screens

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// countingSource records every page the grid asks for.
type countingSource struct {
	*StagedSource
	mu    sync.Mutex
	calls [][2]int64 // offset, limit
}

func (c *countingSource) Page(ctx context.Context, offset, limit int64) ([]GridRow, error) {
	c.mu.Lock()
	c.calls = append(c.calls, [2]int64{offset, limit})
	c.mu.Unlock()
	return c.StagedSource.Page(ctx, offset, limit)
}

func (c *countingSource) Calls() [][2]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][2]int64(nil), c.calls...)
}

// stageRows stages a table of n rows (id, name; row 250 and every 1000th row flagged) in a new project.
func stageRows(t *testing.T, n int64) (*project.Project, *staging.Stager) {
	t.Helper()
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "big.ferry"), project.Options{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	st := staging.NewStager(p)
	_, err = st.Import(context.Background(), staging.SourceInfo{Path: "/x/big.csv", FileName: "big.csv", SHA256: "x", Format: "csv"},
		func(ctx context.Context, sink staging.Sink) error {
			w, err := sink.Table(ctx, staging.TableSpec{Name: "big", Columns: []string{"id", "name"}})
			if err != nil {
				return err
			}
			for i := int64(1); i <= n; i++ {
				r := staging.Row{Line: i + 1, Cells: []string{strconv.FormatInt(i, 10), "name " + strconv.FormatInt(i, 10)}}
				if i%1000 == 0 || i == 250 {
					r.Flags = staging.FlagMissingCells
				}
				if err := w.Write(r); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return p, st
}

func TestDataGridReadsOnlyThePagesOnScreen(t *testing.T) {
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	const n = 120_000
	_, st := stageRows(t, n)
	base, err := NewStagedSource(context.Background(), st, "big")
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{StagedSource: base}
	g := NewDataGrid(src)
	w := test.NewTempWindow(t, g)
	w.Resize(fyne.NewSize(1280, 800))
	settle(t)

	if g.RowCount() != n {
		t.Fatalf("%d rows", g.RowCount())
	}
	if got := src.Calls(); !reflect.DeepEqual(got, [][2]int64{{0, GridPageSize}}) {
		t.Fatalf("first screen read %v, want only the first page", got)
	}
	if v, _ := g.CellText(0, 1); v != "name 1" {
		t.Fatalf("row 1 shows %q", v)
	}
	if r, _ := g.Row(249); !r.Flagged || r.Line != 251 || r.Note == "" {
		t.Fatalf("row 250 %+v, want flagged with its line", r)
	}

	// Jump far down: the pages there are read, nothing in between.
	g.ScrollToRow(100_000)
	settle(t)
	calls := src.Calls()
	if len(calls) > 3 {
		t.Fatalf("%d pages read after one jump: %v", len(calls), calls)
	}
	for _, c := range calls[1:] {
		if c[0] < 99_000 || c[0] > 101_000 || c[1] != GridPageSize {
			t.Fatalf("read page %v, not near row 100,000", c)
		}
	}
	if v, ok := g.CellText(100_000, 0); !ok || v != "100001" {
		t.Fatalf("row 100,001 shows %q (%v)", v, ok)
	}
	if got := g.StatusText(); got != "Row 100,001 of 120,000 · line 100,002 of the file · id: 100001" {
		t.Fatalf("status %q", got)
	}

	// Back to the top: the first page is still cached, nothing read again.
	before := len(src.Calls())
	g.ScrollToRow(3)
	settle(t)
	if len(src.Calls()) != before {
		t.Fatalf("cached page read again: %v", src.Calls()[before:])
	}
}

func TestDataGridShowOnlyGivenRows(t *testing.T) {
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	_, st := stageRows(t, 5000)
	src, err := NewStagedSource(context.Background(), st, "big")
	if err != nil {
		t.Fatal(err)
	}
	g := NewDataGrid(src)
	w := test.NewTempWindow(t, g)
	w.Resize(fyne.NewSize(900, 600))
	settle(t)

	ids, err := flaggedRowIDs(context.Background(), st, "big")
	if err != nil || len(ids) != 6 {
		t.Fatalf("flagged ids %v %v", ids, err)
	}
	if err := g.ShowOnly(ids); err != nil {
		t.Fatal(err)
	}
	settle(t)
	if g.RowCount() != 6 || !g.Filtered() {
		t.Fatalf("%d rows shown", g.RowCount())
	}
	for i, want := range []string{"250", "1000", "2000", "3000", "4000", "5000"} {
		if v, _ := g.CellText(int64(i), 0); v != want {
			t.Fatalf("filtered row %d shows %q, want %q", i, v, want)
		}
	}
	g.ShowAll()
	settle(t)
	if g.RowCount() != 5000 || g.Filtered() {
		t.Fatalf("after ShowAll: %d rows", g.RowCount())
	}
}

func BenchmarkStagedSourcePage(b *testing.B) {
	p, err := project.Create(context.Background(), filepath.Join(b.TempDir(), "bench.ferry"), project.Options{Actor: "test"})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	st := staging.NewStager(p)
	_, err = st.Import(context.Background(), staging.SourceInfo{Path: "/x/b.csv", FileName: "b.csv", SHA256: "x", Format: "csv"},
		func(ctx context.Context, sink staging.Sink) error {
			w, err := sink.Table(ctx, staging.TableSpec{Name: "b", Columns: []string{"a", "b", "c", "d"}})
			if err != nil {
				return err
			}
			for i := int64(1); i <= 200_000; i++ {
				s := strconv.FormatInt(i, 10)
				if err := w.Write(staging.Row{Line: i, Cells: []string{s, s, s, s}}); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		b.Fatal(err)
	}
	src, _ := NewStagedSource(context.Background(), st, "b")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := int64(i*7919) % 199_500
		if _, err := src.Page(context.Background(), off, GridPageSize); err != nil {
			b.Fatal(err)
		}
	}
}

// numbers is a GridSource of n generated rows, no project file needed.
type numbers struct{ n int64 }

func (s numbers) Columns() []string { return []string{"n", "note"} }
func (s numbers) RowCount() int64   { return s.n }
func (s numbers) Page(_ context.Context, offset, limit int64) ([]GridRow, error) {
	var out []GridRow
	for i := offset; i < offset+limit && i < s.n; i++ {
		out = append(out, GridRow{ID: i + 1, Line: i + 2, Cells: []string{strconv.FormatInt(i, 10), "note " + strconv.FormatInt(i, 10)}})
	}
	return out, nil
}

// visibleTexts are the texts of the cells the table draws.
func visibleTexts(g *DataGrid) map[string]bool {
	out := map[string]bool{}
	walk(g.table, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && o.Visible() {
			out[l.Text] = true
		}
		return true
	})
	return out
}

func TestDataGridClicksLandOnTheRowUnderThePointerMillionsOfRowsDown(t *testing.T) {
	test.NewTempApp(t)
	uiQueue = queueUI(t)
	g := NewDataGrid(numbers{1_650_000})
	var selected int64 = -1
	g.OnSelected = func(r GridRow, _ int) { selected = r.ID - 1 }
	w := test.NewTempWindow(t, g)
	w.Resize(fyne.NewSize(900, 600))
	settle(t)
	for _, row := range []int64{1_000, 871_775, 1_600_000} {
		g.ScrollToRow(row)
		settle(t)
		if !visibleTexts(g)[strconv.FormatInt(row, 10)] {
			t.Fatalf("row %d not drawn after ScrollToRow", row)
		}
		// ScrollToRow puts the row in the middle: a click there selects it (or a neighbour, by the
		// pixel) and does not move the view.
		g.table.Tapped(&fyne.PointEvent{Position: fyne.NewPos(120, g.table.Size().Height/2+g.rowPitch()/2)})
		settle(t)
		if selected < row-1 || selected > row+1 {
			t.Fatalf("click in the middle of row %d selected row %d", row, selected)
		}
		if !visibleTexts(g)[strconv.FormatInt(selected, 10)] {
			t.Fatalf("selecting row %d scrolled it out of view", selected)
		}
	}
	if pages := g.FetchedPages(); len(pages) > 8 {
		t.Fatalf("%d pages read for three jumps: %v", len(pages), pages)
	}
}

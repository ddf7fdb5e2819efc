package cleanse_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/custody"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

func newProject(t testing.TB) *project.Project {
	t.Helper()
	p, err := project.Create(context.Background(), filepath.Join(t.TempDir(), "test.ferry"), project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// stage imports one table with the given header and rows; "\x00" in a cell stages SQL NULL.
func stage(t testing.TB, p *project.Project, name string, cols []string, rows ...[]string) {
	t.Helper()
	st := staging.NewStager(p)
	src := staging.SourceInfo{Path: "/old/" + name + ".csv", FileName: name + ".csv", SHA256: "abc", Size: 9, Format: "csv"}
	_, err := st.Import(context.Background(), src, func(ctx context.Context, sink staging.Sink) error {
		w, err := sink.Table(ctx, staging.TableSpec{Name: name, Columns: cols})
		if err != nil {
			return err
		}
		for i, r := range rows {
			nulls := make([]bool, len(r))
			for j, c := range r {
				nulls[j] = c == "\x00"
			}
			if err := w.Write(staging.Row{Line: int64(i + 2), Cells: r, Nulls: nulls}); err != nil {
				return err
			}
		}
		return w.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tableHash hashes a staged table byte for byte: its columns, in order, and every row with every
// value (NULL told from empty), in _ferry_row order.
func tableHash(t testing.TB, p *project.Project, table string) string {
	t.Helper()
	db := p.Reader()
	h := sha256.New()
	rows, err := db.Query(`SELECT name, type FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var n, ty string
		rows.Scan(&n, &ty)
		cols = append(cols, `"`+strings.ReplaceAll(n, `"`, `""`)+`"`)
		fmt.Fprintf(h, "col %q %s\n", n, ty)
	}
	rows.Close()
	var meta string
	db.QueryRow(`SELECT json_group_array(json_array(ord, name, source_name)) FROM ferry_columns WHERE table_name = ?`, table).Scan(&meta)
	var n int64
	db.QueryRow(`SELECT rows FROM ferry_tables WHERE name = ?`, table).Scan(&n)
	fmt.Fprintf(h, "meta %s %d\n", meta, n)
	rows, err = db.Query(`SELECT ` + strings.Join(cols, ", ") + ` FROM ` + staging.QuoteIdent(table) + ` ORDER BY _ferry_row`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch x := v.(type) {
			case nil:
				h.Write([]byte("N"))
			case []byte:
				fmt.Fprintf(h, "B%d:%s", len(x), x)
			case string:
				fmt.Fprintf(h, "S%d:%s", len(x), x)
			default:
				fmt.Fprintf(h, "I%v", x)
			}
			h.Write([]byte{0})
		}
		h.Write([]byte("\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func column(t testing.TB, p *project.Project, table, col string) []string {
	t.Helper()
	rows, err := p.Reader().Query(`SELECT ` + staging.QuoteIdent(col) + ` FROM ` + staging.QuoteIdent(table) + ` ORDER BY _ferry_row`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		rows.Scan(&v)
		if !v.Valid {
			out = append(out, "NULL")
		} else {
			out = append(out, v.String)
		}
	}
	return out
}

func apply(t testing.TB, p *project.Project, s cleanse.Step) *cleanse.Result {
	t.Helper()
	res, err := cleanse.Apply(context.Background(), p, s, cleanse.Options{})
	if err != nil {
		t.Fatalf("%s: %v", s.Op, err)
	}
	return res
}

func events(t testing.TB, p *project.Project, prefix string) []custody.Event {
	t.Helper()
	all, err := custody.List(context.Background(), p.Reader(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []custody.Event
	for _, e := range all {
		if strings.HasPrefix(e.Action, prefix) {
			out = append(out, e)
		}
	}
	return out
}

func TestApplyUndoRedoIsAStackAndRestoresEveryByte(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	stage(t, p, "patients", []string{"ID", "Name", "Phone", "Zip"},
		[]string{"1", "  SMITH, JOHN ", "617.555.0134", "2115"},
		[]string{"2", "o'brien, mary", "\x00", "02115"},
		[]string{"3", "Mary O'Brien", "n/a", ""},
		[]string{"1", "  SMITH, JOHN ", "617.555.0134", "2115"},
	)
	staging.NewStager(p).SetKey(ctx, "patients", "ID")
	before := tableHash(t, p, "patients")

	r1 := apply(t, p, cleanse.Step{Op: "trim", Table: "patients", Column: "Name"})
	if r1.Cells != 2 || r1.Rows != 2 {
		t.Fatalf("trim: %+v", r1.Outcome)
	}
	r2 := apply(t, p, cleanse.Step{Op: "split_name", Table: "patients", Column: "Name", Last: "Last", First: "First"})
	if got := column(t, p, "patients", "Last"); strings.Join(got, "|") != "SMITH|o'brien|NULL|SMITH" {
		t.Fatalf("split: %v %+v", got, r2.Outcome)
	}
	r3 := apply(t, p, cleanse.Step{Op: "normalise_phone", Table: "patients", Column: "Phone", Region: "US"})
	if got := column(t, p, "patients", "Phone"); strings.Join(got, "|") != "+16175550134|NULL|n/a|+16175550134" {
		t.Fatalf("phone: %v", got)
	}
	if len(r3.Left) != 1 || r3.Left[0].Reason != cleanse.LeftInvalidPhone || r3.Left[0].Count != 1 {
		t.Fatalf("phone left: %+v", r3.Left)
	}
	apply(t, p, cleanse.Step{Op: "restore_zip_zeros", Table: "patients", Column: "Zip"})
	r5 := apply(t, p, cleanse.Step{Op: "merge_duplicates", Table: "patients", Match: "identical"})
	if r5.Removed != 1 {
		t.Fatalf("merge: %+v", r5.Outcome)
	}
	if s, ok, err := cleanse.SurvivorOf(ctx, p, "patients", "1"); err != nil || !ok || s != "1" {
		t.Fatalf("survivor of 1: %q %v %v", s, ok, err)
	}
	r6 := apply(t, p, cleanse.Step{Op: "purge", Table: "patients", Reason: "test", Records: []cleanse.RowRef{{Row: 3}}})
	if r6.Removed != 1 {
		t.Fatalf("purge: %+v", r6.Outcome)
	}
	ch, err := cleanse.Changes(ctx, p, "patients", 1)
	if err != nil || len(ch) == 0 {
		t.Fatalf("changes: %v %v", ch, err)
	}
	t.Logf("changes of row 1: %+v", ch)
	for i := 0; i < 6; i++ {
		if _, err := cleanse.Undo(ctx, p); err != nil {
			t.Fatalf("undo %d: %v", i, err)
		}
	}
	if _, err := cleanse.Undo(ctx, p); !errors.Is(err, cleanse.ErrNothingUndo) {
		t.Fatalf("undo of nothing: %v", err)
	}
	if after := tableHash(t, p, "patients"); after != before {
		t.Fatalf("undo did not restore the table")
	}
	// redo the first two, then a new op clears the rest
	if _, err := cleanse.Redo(ctx, p, cleanse.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cleanse.Redo(ctx, p, cleanse.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := column(t, p, "patients", "First"); strings.Join(got, "|") != "JOHN|mary|NULL|JOHN" {
		t.Fatalf("redo split: %v", got)
	}
	apply(t, p, cleanse.Step{Op: "change_case", Table: "patients", Column: "Last", Case: "name"})
	if got := column(t, p, "patients", "Last"); strings.Join(got, "|") != "Smith|O'Brien|NULL|Smith" {
		t.Fatalf("name case: %v", got)
	}
	if _, err := cleanse.Redo(ctx, p, cleanse.Options{}); !errors.Is(err, cleanse.ErrNothingRedo) {
		t.Fatalf("redo after a new op: %v", err)
	}
	hist, _ := cleanse.History(ctx, p)
	if len(hist) != 3 {
		t.Fatalf("history: %d ops", len(hist))
	}
	if n := len(events(t, p, "cleanse.")); n != 6+6+2+1 {
		t.Fatalf("%d cleanse events", n)
	}
	if rep, err := p.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("custody: %v %v", rep, err)
	}
}

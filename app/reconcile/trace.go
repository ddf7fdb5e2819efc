package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// ErrNoRecord: no staged or removed row of the table has that key.
var ErrNoRecord = errors.New("no record with that key")

// Trace is one legacy record's whole story: where it came from, what Cleanse did to it, what
// it became, what the loads did with it, and whether reconciliation found it as sent.
type Trace struct {
	Table   string             `json:"table"`
	Key     string             `json:"key"`
	Row     int64              `json:"row"`  // _ferry_row
	Line    int64              `json:"line"` // line or record number in the source file
	File    string             `json:"file"` // the file it was imported from
	Source  staging.SourceInfo `json:"source"`
	State   string             `json:"state"`  // staged, purged or merged
	Reason  string             `json:"reason"` // purged: why; merged: into which record
	Columns []string           `json:"columns"`
	Values  []*string          `json:"values"` // as they are now (nil: NULL); Changes say what they were
	Changes []cleanse.Change   `json:"changes"`
	// MergedInto is the survivor this record was merged into; Absorbed the records merged into it.
	MergedInto *cleanse.CrosswalkEntry  `json:"merged_into,omitempty"`
	Absorbed   []cleanse.CrosswalkEntry `json:"absorbed,omitempty"`
	Mapped     []MappedRecord           `json:"mapped"`
}

// MappedRecord is the record as one entity's map makes it, and what became of it.
type MappedRecord struct {
	Entity   string        `json:"entity"`
	Key      string        `json:"key"`
	Fields   []MappedField `json:"fields"`
	Hash     string        `json:"hash"`
	Valid    bool          `json:"valid"`
	Attempts []Attempt     `json:"attempts"`
	NewIDs   []NewID       `json:"new_ids"`
	// Reconciliation: "reconciled", "not reconciled yet", or the differences found.
	Reconciliation string `json:"reconciliation"`
	Diffs          []Diff `json:"diffs,omitempty"`
}

// MappedField is one field of a mapped record.
type MappedField struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Error string `json:"error,omitempty"`
}

// Attempt is what one load run did with the record.
type Attempt struct {
	Run         int64  `json:"run"`
	Mode        string `json:"mode"`
	Destination string `json:"destination"`
	Status      string `json:"status"`
	NewID       string `json:"new_id,omitempty"`
	Attempts    int64  `json:"attempts"`
	HTTPStatus  int64  `json:"http_status,omitempty"`
	Error       string `json:"error,omitempty"`
	SentHash    string `json:"sent_hash,omitempty"`
	At          string `json:"at"`
}

// NewID is the record's id in a destination (the crosswalk).
type NewID struct {
	Destination string `json:"destination"`
	NewID       string `json:"new_id"`
	Run         int64  `json:"run"`
}

// TraceRecord traces the record of a staged table with a legacy key (the table's key column;
// "row:N" names a row of a table without one). Rows Cleanse purged or merged are found too.
func TraceRecord(ctx context.Context, p *project.Project, table, key string) (*Trace, error) {
	st := staging.NewStager(p)
	info, err := st.Describe(ctx, table)
	if err != nil {
		return nil, err
	}
	tr := &Trace{Table: info.Name, Key: key, Source: info.Source, File: info.Source.FileName, State: "staged"}
	for _, c := range info.Columns {
		tr.Columns = append(tr.Columns, c.Name)
	}
	row, err := findRow(ctx, p.Reader(), info, key)
	if err != nil {
		return nil, err
	}
	if row > 0 {
		rows, err := st.Rows(ctx, info.Name, []int64{row})
		if err != nil {
			return nil, err
		}
		if len(rows) == 1 {
			tr.Row, tr.Line = row, rows[0].Line
			for i, c := range rows[0].Cells {
				v := c
				if rows[0].Nulls != nil && i < len(rows[0].Nulls) && rows[0].Nulls[i] {
					tr.Values = append(tr.Values, nil)
				} else {
					tr.Values = append(tr.Values, &v)
				}
			}
		}
	}
	if tr.Row == 0 {
		rem, err := cleanse.RemovedRows(ctx, p, info.Name, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, r := range rem {
			if r.Key == key || (row > 0 && r.Row == row) {
				tr.Row, tr.Line, tr.State, tr.Reason = r.Row, r.Line, r.Kind, r.Reason
				if tr.State == "purge" {
					tr.State = "purged"
				} else if tr.State == "merge" {
					tr.State = "merged"
				}
				for _, c := range tr.Columns {
					tr.Values = append(tr.Values, r.Values[c])
				}
				break
			}
		}
	}
	if tr.Row == 0 {
		return nil, fmt.Errorf("%s has no record %q: %w", info.Name, key, ErrNoRecord)
	}
	if tr.Changes, err = cleanse.Changes(ctx, p, info.Name, tr.Row); err != nil {
		return nil, err
	}
	cw, err := cleanse.Crosswalk(ctx, p, info.Name)
	if err != nil {
		return nil, err
	}
	for i := range cw {
		switch {
		case cw[i].MergedRow == tr.Row:
			tr.MergedInto = &cw[i]
			tr.Reason = "merged into " + cw[i].SurvivorKey
		case cw[i].SurvivorRow == tr.Row:
			tr.Absorbed = append(tr.Absorbed, cw[i])
		}
	}
	if tr.State != "staged" {
		return tr, nil
	}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range f.Entities {
		if e.Table != info.Name {
			continue
		}
		err := f.Scan(ctx, e.Name, map[int64]bool{tr.Row: true}, func(rec mapping.Record) error {
			m := MappedRecord{Entity: e.Name, Key: rec.Key, Hash: rec.Hash(e.Fields), Valid: rec.Valid()}
			for i, fl := range e.Fields {
				mf := MappedField{Field: fl.Name, Value: rec.Values[i]}
				if i < len(rec.Errors) && rec.Errors[i] != nil {
					mf.Error = rec.Errors[i].Message
				}
				m.Fields = append(m.Fields, mf)
			}
			tr.Mapped = append(tr.Mapped, m)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range tr.Mapped {
		if err := loadHistory(ctx, p, &tr.Mapped[i]); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

func findRow(ctx context.Context, db *sql.DB, info staging.TableInfo, key string) (int64, error) {
	if n, ok := strings.CutPrefix(key, "row:"); ok {
		return strconv.ParseInt(n, 10, 64)
	}
	if info.KeyColumn == "" {
		return 0, fmt.Errorf("%s has no key column: name a record as row:N (its row number)", info.Name)
	}
	var row int64
	err := db.QueryRowContext(ctx, `SELECT `+staging.ColRow+` FROM `+staging.QuoteIdent(info.Name)+
		` WHERE trim(`+staging.QuoteIdent(info.KeyColumn)+`) = ? ORDER BY 1 LIMIT 1`, strings.TrimSpace(key)).Scan(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return row, err
}

func loadHistory(ctx context.Context, p *project.Project, m *MappedRecord) error {
	db := p.Reader()
	rows, err := db.QueryContext(ctx, `SELECT r.run_id, l.mode, d.name, r.status, r.new_id, r.attempts, r.http_status, r.error, r.sent_hash, r.updated_at
		FROM ferry_load_records r JOIN ferry_load_runs l ON l.run_id = r.run_id JOIN ferry_destinations d ON d.id = l.destination_id
		WHERE r.entity = ? AND r.legacy_key = ? ORDER BY r.run_id`, m.Entity, m.Key)
	if err != nil {
		return fmt.Errorf("reading the load's records: %w", err)
	}
	for rows.Next() {
		var a Attempt
		if err := rows.Scan(&a.Run, &a.Mode, &a.Destination, &a.Status, &a.NewID, &a.Attempts, &a.HTTPStatus, &a.Error, &a.SentHash, &a.At); err != nil {
			rows.Close()
			return err
		}
		m.Attempts = append(m.Attempts, a)
	}
	rows.Close()
	cw, err := db.QueryContext(ctx, `SELECT d.name, c.new_id, c.run_id FROM ferry_crosswalk c JOIN ferry_destinations d ON d.id = c.destination_id
		WHERE c.entity = ? AND c.legacy_key = ? ORDER BY d.id`, m.Entity, m.Key)
	if err != nil {
		return err
	}
	for cw.Next() {
		var n NewID
		if err := cw.Scan(&n.Destination, &n.NewID, &n.Run); err != nil {
			cw.Close()
			return err
		}
		m.NewIDs = append(m.NewIDs, n)
	}
	cw.Close()
	recon, diffs, err := DiffsOf(ctx, p, m.Entity, m.Key)
	if err != nil {
		return err
	}
	m.Diffs = diffs
	switch {
	case recon == 0:
		m.Reconciliation = "not reconciled yet"
	case len(diffs) > 0:
		var parts []string
		for _, d := range diffs {
			s := d.Kind
			if d.Field != "" {
				s += " " + d.Field
			}
			parts = append(parts, s)
		}
		m.Reconciliation = "differences: " + strings.Join(parts, ", ")
	case len(m.NewIDs) > 0:
		m.Reconciliation = fmt.Sprintf("reconciled (reconciliation %d)", recon)
	default:
		m.Reconciliation = "not loaded"
	}
	return nil
}

// Text writes the trace for a person to read (ferry trace).
func (tr *Trace) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Record %s of %s (row %d)\n", tr.Key, tr.Table, tr.Row)
	fmt.Fprintf(&b, "  from %s, line %d", tr.File, tr.Line)
	if tr.Source.SHA256 != "" {
		fmt.Fprintf(&b, " (file SHA-256 %s…)", tr.Source.SHA256[:min(12, len(tr.Source.SHA256))])
	}
	b.WriteString("\n")
	switch tr.State {
	case "purged":
		fmt.Fprintf(&b, "  PURGED in Cleanse: %s\n", tr.Reason)
	case "merged":
		fmt.Fprintf(&b, "  MERGED in Cleanse: %s\n", tr.Reason)
	}
	b.WriteString("\nValues now:\n")
	for i, c := range tr.Columns {
		v := "(NULL)"
		if i < len(tr.Values) && tr.Values[i] != nil {
			v = *tr.Values[i]
		}
		fmt.Fprintf(&b, "  %-24s %s\n", c, v)
	}
	b.WriteString("\nCleanse:\n")
	if len(tr.Changes) == 0 {
		b.WriteString("  nothing changed\n")
	}
	for _, c := range tr.Changes {
		switch c.Kind {
		case "cell":
			fmt.Fprintf(&b, "  %s changed from %q to %q by operation %d (%s), %s, %s\n", c.Column, deref(c.Old), deref(c.New), c.OpID, c.Op, c.By, c.At)
		case "merge":
			fmt.Fprintf(&b, "  merged into %s (row %d) by operation %d, %s, %s\n", c.OtherK, c.Other, c.OpID, c.By, c.At)
		case "survivor":
			fmt.Fprintf(&b, "  %s (row %d) merged into this record by operation %d, %s, %s\n", c.OtherK, c.Other, c.OpID, c.By, c.At)
		default:
			fmt.Fprintf(&b, "  %s by operation %d (%s): %s, %s, %s\n", c.Kind, c.OpID, c.Op, c.Reason, c.By, c.At)
		}
	}
	for _, m := range tr.Mapped {
		fmt.Fprintf(&b, "\nMapped as %s %s (hash %s…)", m.Entity, m.Key, m.Hash[:12])
		if !m.Valid {
			b.WriteString(" WITH ERRORS")
		}
		b.WriteString(":\n")
		for _, f := range m.Fields {
			if f.Value == "" && f.Error == "" {
				continue
			}
			fmt.Fprintf(&b, "  %-24s %s", f.Field, f.Value)
			if f.Error != "" {
				fmt.Fprintf(&b, "   ERROR: %s", f.Error)
			}
			b.WriteString("\n")
		}
		b.WriteString("\nLoad:\n")
		if len(m.Attempts) == 0 {
			b.WriteString("  not in any load run\n")
		}
		for _, a := range m.Attempts {
			fmt.Fprintf(&b, "  run %d (%s to %s): %s", a.Run, a.Mode, a.Destination, a.Status)
			if a.NewID != "" {
				fmt.Fprintf(&b, ", new id %s", a.NewID)
			}
			if a.Attempts > 1 {
				fmt.Fprintf(&b, ", %d attempts", a.Attempts)
			}
			if a.Error != "" {
				fmt.Fprintf(&b, ": %s", a.Error)
			}
			b.WriteString("\n")
		}
		for _, n := range m.NewIDs {
			fmt.Fprintf(&b, "  new id in %s: %s\n", n.Destination, n.NewID)
		}
		fmt.Fprintf(&b, "\nReconciliation: %s\n", m.Reconciliation)
		for _, d := range m.Diffs {
			if d.Kind == KindChanged {
				fmt.Fprintf(&b, "  %s: sent %q, found %q\n", d.Field, d.Sent, d.Found)
			} else if d.Detail != "" {
				fmt.Fprintf(&b, "  %s: %s\n", d.Kind, d.Detail)
			}
		}
	}
	return b.String()
}

func deref(s *string) string {
	if s == nil {
		return "(NULL)"
	}
	return *s
}

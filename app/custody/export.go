package custody

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ExportFormat is the "format" member of a JSON export.
const ExportFormat = "ferry-custody-log"

// Log is what Export needs of a project; *project.Project has both.
type Log interface {
	Reader() *sql.DB
	Verify(ctx context.Context) (Report, error)
}

// Export writes the whole custody log to w, for a report or an auditor, as "csv" (one event a
// row: seq, at, actor, machine, action, params, inputs, prev_hash, hash) or "json" (an object
// with the format name, the outcome of Verify and every event). Values are written exactly as
// stored, so anyone can recompute each hash from the export; nothing is escaped for
// spreadsheets (a cell beginning with "=" stays as it was).
func Export(ctx context.Context, p Log, w io.Writer, format string) error {
	evs, err := List(ctx, p.Reader(), 0)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		rep, err := p.Verify(ctx)
		if err != nil {
			return err
		}
		if evs == nil {
			evs = []Event{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Format     string  `json:"format"`
			ExportedAt string  `json:"exported_at"`
			Verified   Report  `json:"verified"`
			Events     []Event `json:"events"`
		}{ExportFormat, time.Now().UTC().Format(time.RFC3339), rep, evs}); err != nil {
			return fmt.Errorf("exporting the custody log: %w", err)
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"seq", "at", "actor", "machine", "action", "params", "inputs", "prev_hash", "hash"})
		for _, e := range evs {
			inputs := ""
			if len(e.Inputs) > 0 {
				b, _ := json.Marshal(e.Inputs)
				inputs = string(b)
			}
			_ = cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Machine,
				e.Action, string(e.Params), inputs, e.PrevHash, e.Hash})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("exporting the custody log: %w", err)
		}
		return nil
	}
	return fmt.Errorf("exporting the custody log: unknown format %q (csv or json)", format)
}

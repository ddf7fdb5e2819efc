package rollback

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// sent is what Ferry sent for one record, as far as it can be known now.
type sent struct {
	fields []target.Field
	values []string
	ok     bool // the record as mapped now hashes to the crosswalk's sent_hash
}

// readBack reads every record of w back and marks it same, edited, gone or unknown.
func readBack(ctx context.Context, p *project.Project, ri *runInfo, w *Window, opts Options) error {
	cfg := ri.dest.Config
	expected, err := whatWasSent(ctx, p, w.Records)
	if err != nil {
		return err
	}
	xw, err := crosswalk(ctx, p, ri.destID)
	if err != nil {
		return err
	}
	c, err := openClient(ctx, p, ri.dest, opts)
	if err != nil {
		return err
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var done int64
	for range max(1, cfg.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := &w.Records[i]
				r.State, r.Note = compare(ctx, c, *r, expected[r.Entity+"\x00"+r.Key], xw)
				mu.Lock()
				done++
				if opts.Progress != nil {
					opts.Progress(Progress{Stage: "check", Entity: r.Entity, Done: done, Total: int64(len(w.Records))})
				}
				mu.Unlock()
			}
		}()
	}
	for i := range w.Records {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	w.Checked = true
	for _, r := range w.Records {
		switch r.State {
		case "edited":
			w.Edited++
		case "unknown":
			w.Unknown++
		case "gone":
			w.Gone++
		}
	}
	return nil
}

// whatWasSent maps the records again and keeps those whose hash is still the one sent.
func whatWasSent(ctx context.Context, p *project.Project, recs []Record) (map[string]sent, error) {
	want := map[string]map[string]string{} // entity → key → sent hash
	for _, r := range recs {
		if want[r.Entity] == nil {
			want[r.Entity] = map[string]string{}
		}
		want[r.Entity][r.Key] = r.SentHash
	}
	out := map[string]sent{}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return out, nil // nothing can be compared: every record is unknown
	}
	for entity, keys := range want {
		fe := f.Entity(entity)
		if fe == nil {
			continue
		}
		err := f.Scan(ctx, entity, nil, func(rec mapping.Record) error {
			h, ok := keys[rec.Key]
			if !ok {
				return nil
			}
			out[entity+"\x00"+rec.Key] = sent{fields: fe.Fields, values: rec.Values, ok: h != "" && rec.Hash(fe.Fields) == h}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("mapping %s again to compare: %w", entity, err)
		}
	}
	return out, nil
}

// crosswalk is entity → legacy key → new id at the destination.
func crosswalk(ctx context.Context, p *project.Project, destID int64) (map[string]map[string]string, error) {
	rows, err := p.Reader().QueryContext(ctx, `SELECT entity, legacy_key, new_id FROM ferry_crosswalk WHERE destination_id = ?`, destID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var e, k, id string
		if err := rows.Scan(&e, &k, &id); err != nil {
			return nil, err
		}
		if out[e] == nil {
			out[e] = map[string]string{}
		}
		out[e][k] = id
	}
	return out, rows.Err()
}

// compare reads one record back and says whether it still holds what Ferry sent.
func compare(ctx context.Context, c *load.Client, r Record, s sent, xw map[string]map[string]string) (string, string) {
	d := c.Destination()
	fhir := d.Config.Kind == load.KindFHIR
	var got map[string]string
	var version string
	var found bool
	var err error
	if fhir {
		version, found, err = c.Version(ctx, r.Entity, r.NewID)
	} else {
		got, found, err = c.Get(ctx, r.Entity, r.NewID)
	}
	ec := d.Config.Entities[r.Entity]
	switch {
	case err != nil:
		return "unknown", "could not read it back: " + err.Error()
	case !found:
		return "gone", "no longer in the new system"
	case fhir && version == "":
		return "unknown", "the server keeps no version of it"
	case fhir && version == "1":
		return "same", ""
	case fhir:
		return "edited", "changed in the new system since Ferry wrote it (version " + version + ")"
	case ec == nil || len(ec.Body) > 0:
		return "unknown", "its body is a template: Ferry cannot tell what it sent"
	case !s.ok:
		return "unknown", "the data changed since it was sent: Ferry cannot tell what it sent"
	}
	for i, f := range s.fields {
		if !c.Sent(r.Entity, f) || i >= len(s.values) {
			continue
		}
		want := s.values[i]
		if f.Type == target.Reference && want != "" {
			want = xw[f.References][want]
		}
		if have := got[f.Name]; !sameValue(have, want) {
			return "edited", fmt.Sprintf("%s is %q in the new system; Ferry sent %q", f.Name, have, want)
		}
	}
	return "same", ""
}

// sameValue compares a value read back with the one sent: numbers by value (95 and "95.00").
func sameValue(have, want string) bool {
	if have == want {
		return true
	}
	a, errA := strconv.ParseFloat(have, 64)
	b, errB := strconv.ParseFloat(want, 64)
	return errA == nil && errB == nil && a == b
}

package rollback

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
)

// Update sends records that changed in the old system to the ids the crosswalk has for them
// at the destination: the delta cutover's changed records, each sent by load.Client.Update (a
// rest record PATCHed at its own URL, the entity's Delete path, with the flat body, a field
// that became blank sent blank to clear it; a FHIR resource PUT to /Type/id). Each outcome is written to the run's records (run:
// the delta load run): 'updated' with the new sent_hash (the crosswalk's too; its run_id stays
// the creating run), or 'rejected' /
// 'failed' with the target's message. keys names the records, per entity.
func Update(ctx context.Context, p *project.Project, run int64, destination string, keys map[string]map[string]bool, opts Options) (map[string]int64, error) {
	d, err := load.GetDestination(ctx, p, destination)
	if err != nil {
		return nil, err
	}
	cfg := d.Config
	if d.Kind == load.KindFiles {
		return nil, fmt.Errorf("%s: %w", d.Name, ErrFiles)
	}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, err
	}
	xw, err := crosswalk(ctx, p, d.ID)
	if err != nil {
		return nil, err
	}
	type job struct {
		fe  *mapping.FeedEntity
		rec mapping.Record
		id  string
	}
	var jobs []job
	counts := map[string]int64{}
	for _, fe := range f.Entities {
		if len(keys[fe.Name]) == 0 {
			continue
		}
		if d.Kind == load.KindREST {
			if ec := cfg.Entities[fe.Name]; ec == nil || ec.Delete == "" {
				return nil, fmt.Errorf("destination %s, %s: %w: add its Delete path (the record's own URL, used to update it too)", d.Name, fe.Name, ErrNoDelete)
			}
		}
		fe := fe
		err := f.Scan(ctx, fe.Name, nil, func(r mapping.Record) error {
			if keys[fe.Name][r.Key] {
				jobs = append(jobs, job{fe: &fe, rec: r, id: xw[fe.Name][r.Key]})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	c, err := openClient(ctx, p, d, opts)
	if err != nil {
		return nil, err
	}
	refs := func(entity, key string) (string, bool) {
		id, ok := xw[entity][key]
		return id, ok
	}
	work := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	var done int64
	for range max(1, cfg.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				status, msg, code := load.StatusFailed, "", 0
				hash := j.rec.Hash(j.fe.Fields)
				switch {
				case j.id == "":
					msg = "not in the crosswalk: Ferry does not know its id in the new system"
				case !j.rec.Valid():
					status, msg = load.StatusInvalid, j.rec.Error(j.fe.Fields)
				default:
					status, msg, code = update(ctx, c, j.fe.Name, j.rec, j.id, refs)
				}
				err := p.Write(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
					now := time.Now().UTC().Format(time.RFC3339)
					res, err := tx.ExecContext(ctx, `UPDATE ferry_load_records SET status = ?, error = ?, http_status = ?, new_id = ?,
						attempts = attempts + 1, sent_hash = ?, updated_at = ? WHERE run_id = ? AND entity = ? AND legacy_key = ?`,
						status, msg, code, j.id, hash, now, run, j.fe.Name, j.rec.Key)
					if err != nil {
						return err
					}
					if n, _ := res.RowsAffected(); n == 0 {
						if _, err := tx.ExecContext(ctx, `INSERT INTO ferry_load_records(run_id, entity, legacy_key, source_row, seq, status,
							new_id, attempts, http_status, error, sent_hash, updated_at)
							VALUES (?,?,?,?,(SELECT ifnull(max(seq), 0) + 1 FROM ferry_load_records WHERE run_id = ?),?,?,1,?,?,?,?)`,
							run, j.fe.Name, j.rec.Key, j.rec.Row, run, status, j.id, code, msg, hash, now); err != nil {
							return err
						}
					}
					if status == load.StatusUpdated {
						// run_id stays the run that created it: rolling back the delta must not delete
						// what an earlier run created and the delta only updated.
						_, err = tx.ExecContext(ctx, `UPDATE ferry_crosswalk SET sent_hash = ? WHERE destination_id = ? AND entity = ? AND legacy_key = ?`,
							hash, d.ID, j.fe.Name, j.rec.Key)
					}
					return err
				})
				mu.Lock()
				counts[status]++
				done++
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if opts.Progress != nil {
					opts.Progress(Progress{Stage: "update", Entity: j.fe.Name, Done: done, Total: int64(len(jobs))})
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return counts, firstErr
	}
	return counts, ctx.Err()
}

// update sends one record's values to its id and says how it went.
func update(ctx context.Context, c *load.Client, entity string, rec mapping.Record, id string, refs func(string, string) (string, bool)) (string, string, int) {
	code, msg, err := c.Update(ctx, entity, id, rec, refs)
	switch {
	case err != nil:
		return load.StatusFailed, err.Error(), code
	case code == http.StatusNotFound || code == http.StatusGone:
		return load.StatusRejected, "no longer in the new system: someone deleted it there", code
	case msg != "":
		return load.StatusRejected, msg, code
	}
	return load.StatusUpdated, "", code
}

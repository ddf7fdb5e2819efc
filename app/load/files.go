package load

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ferry-migrate/ferry/app/load/files"
	"github.com/ferry-migrate/ferry/app/mapping"
)

func init() { writeFiles = runFiles }

// runFiles is a files destination's run: app/load/files writes every valid record, and each
// placed record is 'created' with new_id "FILE:ROW". The files are deterministic, so a resumed
// files run simply writes them all again from the start.
func runFiles(ctx context.Context, r *runner) error {
	var fc files.Config
	if err := json.Unmarshal(r.cfg.Files, &fc); err != nil {
		return fmt.Errorf("%w: files: %v", ErrBadConfig, err)
	}
	if err := fc.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	prev := map[[2]string]*item{}
	rows, err := r.p.Reader().QueryContext(ctx, `SELECT entity, legacy_key, source_row, seq, status, attempts FROM ferry_load_records WHERE run_id = ?`, r.runID)
	if err != nil {
		return err
	}
	for rows.Next() {
		it := &item{}
		if err := rows.Scan(&it.entity, &it.key, &it.row, &it.seq, &it.prev, &it.attempts); err != nil {
			rows.Close()
			return err
		}
		prev[[2]string{it.entity, it.key}] = it
	}
	rows.Close()
	fc.Invalid = func(rec mapping.Record) error {
		it := prev[[2]string{rec.Entity, rec.Key}]
		if it == nil {
			return nil
		}
		fields := r.feed.Entity(rec.Entity).Fields
		r.outs <- outcome{it: it, status: StatusInvalid, attempts: it.attempts, err: rec.Error(fields)}
		return nil
	}
	progress := func(entity string, done, total int64) {
		r.pmu.Lock()
		r.current = entity
		r.pmu.Unlock()
		r.progress(false)
	}
	// Only the run's own records go into the files: a sample or delta run holds a subset of the
	// feed, and the manifest lists the rest as skipped.
	only := func(entity, key string) bool { return prev[[2]string{entity, key}] != nil }
	_, err = files.Write(ctx, r.feed, fc, only, progress, func(pl files.Placed) error {
		k := [2]string{pl.Entity, pl.Key}
		it := prev[k]
		if it == nil {
			return fmt.Errorf("%s %s was written but is not one of the run's records", pl.Entity, pl.Key)
		}
		r.outs <- outcome{it: it, status: StatusCreated, newID: pl.File + ":" + strconv.Itoa(pl.FileRow), attempts: it.attempts + 1}
		return nil
	})
	return err
}

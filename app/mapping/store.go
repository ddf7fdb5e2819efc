package mapping

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ferry-migrate/ferry/app/target"
)

// Edit is one change to the map, as the edit log keeps it for undo and redo.
type Edit struct {
	ID       int64    `json:"id"`
	Action   string   `json:"action"`  // set_source, set_field, clear_field, set_value, accept, apply_template …
	Summary  string   `json:"summary"` // in words: "Patient.birthDate ← BirthDate"
	Entities []string `json:"entities"`
	At       string   `json:"at"`
	Actor    string   `json:"actor"`
	Undone   bool     `json:"undone"`
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadMaps(ctx context.Context, q querier, targetID int64) (map[string]EntityMap, error) {
	rows, err := q.QueryContext(ctx, `SELECT entity, definition FROM ferry_maps WHERE target_id = ?`, targetID)
	if err != nil {
		return nil, fmt.Errorf("reading the map: %w", err)
	}
	defer rows.Close()
	out := map[string]EntityMap{}
	for rows.Next() {
		var name, body string
		if err := rows.Scan(&name, &body); err != nil {
			return nil, fmt.Errorf("reading the map: %w", err)
		}
		var em EntityMap
		if err := json.Unmarshal([]byte(body), &em); err != nil {
			return nil, fmt.Errorf("reading the map of %s: %w", name, err)
		}
		em.Entity = name
		if em.Fields == nil {
			em.Fields = []FieldMap{}
		}
		out[name] = em
	}
	return out, rows.Err()
}

func mapJSON(em *EntityMap) string {
	if em == nil || (em.Table == "" && len(em.Fields) == 0) {
		return "null"
	}
	b, _ := json.Marshal(em)
	return string(b)
}

// putMap stores one entity's map; body "null" removes it.
func putMap(ctx context.Context, tx *sql.Tx, targetID int64, entity, body string) error {
	if body == "null" || body == "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM ferry_maps WHERE target_id = ? AND entity = ?`, targetID, entity)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ferry_maps(target_id, entity, definition, updated_at) VALUES (?,?,?,?)
		ON CONFLICT(target_id, entity) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
		targetID, entity, body, now())
	return err
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }

func revisionOf(ctx context.Context, q querier, targetID int64) (int64, error) {
	var r int64
	err := q.QueryRowContext(ctx, `SELECT revision FROM ferry_map_revisions WHERE target_id = ?`, targetID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return r, err
}

func bumpRevision(ctx context.Context, tx *sql.Tx, targetID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ferry_map_revisions(target_id, revision) VALUES (?, 1)
		ON CONFLICT(target_id) DO UPDATE SET revision = revision + 1`, targetID)
	return err
}

// change runs fn on the active target's maps (a copy, keyed by entity; fn may add, change or
// delete entries) and, when something changed, saves it as one undoable edit with a map.edit
// custody event — all in one transaction. It returns the edit (ID 0 when nothing changed).
func (m *Mapper) change(ctx context.Context, action, summary string, params map[string]any,
	fn func(t *target.Target, maps map[string]*EntityMap) error) (Edit, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return Edit{}, err
	}
	var ed Edit
	err = m.p.Write(ctx, func(tx *sql.Tx) error {
		stored, err := loadMaps(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		work := map[string]*EntityMap{}
		before := map[string]string{}
		for k, v := range stored {
			c := v.Clone()
			work[k] = &c
			before[k] = mapJSON(&c)
		}
		if err := fn(&t, work); err != nil {
			return err
		}
		changedBefore, changedAfter := map[string]json.RawMessage{}, map[string]json.RawMessage{}
		names := map[string]bool{}
		for k := range before {
			names[k] = true
		}
		for k := range work {
			names[k] = true
		}
		var entities []string
		for k := range names {
			if em := work[k]; em != nil {
				em.Entity = k
				sortFields(em.Fields, t.Entity(k))
			}
			b, a := before[k], mapJSON(work[k])
			if b == "" {
				b = "null"
			}
			if a != b {
				changedBefore[k], changedAfter[k] = json.RawMessage(b), json.RawMessage(a)
				entities = append(entities, k)
			}
		}
		if len(entities) == 0 {
			return nil
		}
		sort.Strings(entities)
		for _, k := range entities {
			if err := putMap(ctx, tx, t.ID, k, string(changedAfter[k])); err != nil {
				return fmt.Errorf("saving the map of %s: %w", k, err)
			}
		}
		// a new edit ends the redo branch
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_map_edits WHERE target_id = ? AND undone = 1`, t.ID); err != nil {
			return err
		}
		bj, _ := json.Marshal(changedBefore)
		aj, _ := json.Marshal(changedAfter)
		ed = Edit{Action: action, Summary: summary, Entities: entities, At: now(), Actor: m.p.Who().Actor}
		ej, _ := json.Marshal(entities)
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_map_edits(target_id, action, summary, entities, before, after, undone, at, actor)
			VALUES (?,?,?,?,?,?,0,?,?)`, t.ID, action, summary, string(ej), string(bj), string(aj), ed.At, ed.Actor)
		if err != nil {
			return fmt.Errorf("recording the map edit: %w", err)
		}
		ed.ID, _ = res.LastInsertId()
		if err := bumpRevision(ctx, tx, t.ID); err != nil {
			return err
		}
		if params == nil {
			params = map[string]any{}
		}
		params["target"], params["change"], params["summary"], params["edit"] = t.Name, action, summary, ed.ID
		return m.p.Log(ctx, tx, "map.edit", params, nil)
	})
	return ed, err
}

// Undo takes back the newest edit of the active target's map that is not undone yet.
func (m *Mapper) Undo(ctx context.Context) (Edit, error) { return m.undoRedo(ctx, true) }

// Redo puts back the edit Undo last took back.
func (m *Mapper) Redo(ctx context.Context) (Edit, error) { return m.undoRedo(ctx, false) }

func (m *Mapper) undoRedo(ctx context.Context, undo bool) (Edit, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return Edit{}, err
	}
	var ed Edit
	err = m.p.Write(ctx, func(tx *sql.Tx) error {
		q := `SELECT id, action, summary, entities, before, after, at, actor FROM ferry_map_edits
			WHERE target_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1`
		if !undo {
			q = `SELECT id, action, summary, entities, before, after, at, actor FROM ferry_map_edits
			WHERE target_id = ? AND undone = 1 ORDER BY id LIMIT 1`
		}
		var ents, before, after string
		err := tx.QueryRowContext(ctx, q, t.ID).Scan(&ed.ID, &ed.Action, &ed.Summary, &ents, &before, &after, &ed.At, &ed.Actor)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNothing
		}
		if err != nil {
			return fmt.Errorf("reading the map's edit log: %w", err)
		}
		_ = json.Unmarshal([]byte(ents), &ed.Entities)
		restore := after
		if undo {
			restore = before
		}
		var maps map[string]json.RawMessage
		if err := json.Unmarshal([]byte(restore), &maps); err != nil {
			return fmt.Errorf("reading the map's edit log: %w", err)
		}
		for k, v := range maps {
			if err := putMap(ctx, tx, t.ID, k, string(v)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_map_edits SET undone = ? WHERE id = ?`, undo, ed.ID); err != nil {
			return err
		}
		ed.Undone = undo
		if err := bumpRevision(ctx, tx, t.ID); err != nil {
			return err
		}
		action := "map.redo"
		if undo {
			action = "map.undo"
		}
		return m.p.Log(ctx, tx, action, map[string]any{"target": t.Name, "edit": ed.ID, "summary": ed.Summary}, nil)
	})
	return ed, err
}

// History lists the active target's map edits, newest first; undone ones (which Redo can put
// back) are marked.
func (m *Mapper) History(ctx context.Context) ([]Edit, error) {
	t, err := target.Active(ctx, m.p)
	if err != nil {
		return nil, err
	}
	rows, err := m.p.Reader().QueryContext(ctx, `SELECT id, action, summary, entities, at, actor, undone FROM ferry_map_edits
		WHERE target_id = ? ORDER BY id DESC`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the map's edit log: %w", err)
	}
	defer rows.Close()
	var out []Edit
	for rows.Next() {
		var e Edit
		var ents string
		if err := rows.Scan(&e.ID, &e.Action, &e.Summary, &ents, &e.At, &e.Actor, &e.Undone); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(ents), &e.Entities)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CanUndo and CanRedo say whether Undo and Redo have something to do (for the toolbar).
func (m *Mapper) CanUndo(ctx context.Context) (undo, redo bool, err error) {
	hist, err := m.History(ctx)
	if err != nil {
		return false, false, err
	}
	for _, e := range hist {
		if e.Undone {
			redo = true
		} else {
			undo = true
		}
	}
	return undo, redo, nil
}

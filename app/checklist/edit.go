package checklist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/app/project"
)

// NewItem is what is needed to add an item.
type NewItem struct {
	Kind        Kind
	TemplateKey string
	Origin      string
	Title       string
	Description string
	Owner       string
	Due         string
	Status      Status
	Required    bool
	Notes       string
}

func insertGroup(ctx context.Context, tx *sql.Tx, name, area, intro, key string) (int64, error) {
	var ord int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(ord), 0) + 1 FROM ferry_checklist_groups`).Scan(&ord); err != nil {
		return 0, fmt.Errorf("adding the group %q: %w", name, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ferry_checklist_groups(ord, name, area, intro, template_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, ord, name, area, intro, key, now())
	if err != nil {
		return 0, fmt.Errorf("adding the group %q: %w", name, err)
	}
	return res.LastInsertId()
}

func insertItem(ctx context.Context, tx *sql.Tx, groupID int64, n NewItem) (int64, error) {
	if n.Kind == "" {
		n.Kind = Task
	}
	if n.Origin == "" {
		n.Origin = OriginUser
	}
	if n.Status == "" {
		n.Status = Open
	}
	if !n.Status.Valid() {
		return 0, fmt.Errorf("%q is not a checklist status", n.Status)
	}
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" {
		return 0, fmt.Errorf("a checklist item needs a title")
	}
	var ord int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(ord), 0) + 1 FROM ferry_checklist_items WHERE group_id = ?`, groupID).Scan(&ord); err != nil {
		return 0, fmt.Errorf("adding %q: %w", n.Title, err)
	}
	t := now()
	res, err := tx.ExecContext(ctx, `INSERT INTO ferry_checklist_items(group_id, ord, kind, template_key, origin, title,
		description, owner, due, status, required, notes, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		groupID, ord, string(n.Kind), n.TemplateKey, n.Origin, n.Title, n.Description, n.Owner, n.Due, string(n.Status),
		boolInt(n.Required), n.Notes, t, t)
	if err != nil {
		return 0, fmt.Errorf("adding %q: %w", n.Title, err)
	}
	return res.LastInsertId()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AddGroup adds an empty group at the end.
func AddGroup(ctx context.Context, p *project.Project, name string) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return 0, fmt.Errorf("a group needs a name")
	}
	var id int64
	err := p.Write(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = insertGroup(ctx, tx, name, AreaOther, "", ""); err != nil {
			return err
		}
		return p.Log(ctx, tx, "checklist.group.add", map[string]any{"group": id, "name": name}, nil)
	})
	return id, err
}

// EnsureGroupTx returns the group with the given area and name, adding it when missing (used for
// the group that collects items made from comparisons).
func EnsureGroupTx(ctx context.Context, tx *sql.Tx, name, area, intro string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ferry_checklist_groups WHERE area = ? ORDER BY ord LIMIT 1`, area).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("finding the group %q: %w", name, err)
	}
	return insertGroup(ctx, tx, name, area, intro, "")
}

// RenameGroup changes a group's name.
func RenameGroup(ctx context.Context, p *project.Project, id int64, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("a group needs a name")
	}
	return p.Do(ctx, "checklist.group.rename", map[string]any{"group": id, "name": name}, nil, func(tx *sql.Tx) error {
		return mustChange(tx.ExecContext(ctx, `UPDATE ferry_checklist_groups SET name = ? WHERE id = ?`, name, id))
	})
}

// DeleteGroup removes an empty group.
func DeleteGroup(ctx context.Context, p *project.Project, id int64) error {
	return p.Do(ctx, "checklist.group.delete", map[string]any{"group": id}, nil, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_checklist_items WHERE group_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("deleting the group: %w (%d); move or delete them first", ErrGroupNotEmpty, n)
		}
		return mustChange(tx.ExecContext(ctx, `DELETE FROM ferry_checklist_groups WHERE id = ?`, id))
	})
}

// MoveGroup puts a group at position index (0 = first).
func MoveGroup(ctx context.Context, p *project.Project, id int64, index int) error {
	return p.Do(ctx, "checklist.group.move", map[string]any{"group": id, "to": index}, nil, func(tx *sql.Tx) error {
		ids, err := idsWhere(ctx, tx, `SELECT id FROM ferry_checklist_groups WHERE id != ? ORDER BY ord, id`, id)
		if err != nil {
			return err
		}
		ids = insertAt(ids, id, index)
		for i, gid := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE ferry_checklist_groups SET ord = ? WHERE id = ?`, i+1, gid); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddItem adds an item at the end of a group.
func AddItem(ctx context.Context, p *project.Project, groupID int64, n NewItem) (int64, error) {
	var id int64
	err := p.Write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = AddItemTx(ctx, p, tx, groupID, n)
		return err
	})
	return id, err
}

// AddItemTx adds an item inside the caller's transaction and logs it there.
func AddItemTx(ctx context.Context, p *project.Project, tx *sql.Tx, groupID int64, n NewItem) (int64, error) {
	id, err := insertItem(ctx, tx, groupID, n)
	if err != nil {
		return 0, err
	}
	return id, p.Log(ctx, tx, "checklist.item.add", map[string]any{"item": id, "group": groupID, "title": n.Title,
		"origin": n.Origin, "required": n.Required}, nil)
}

// Patch changes some of an item's text fields; nil fields stay as they are.
type Patch struct {
	Title       *string `json:"title,omitempty"`
	Description *string `json:"description,omitempty"`
	Owner       *string `json:"owner,omitempty"`
	Due         *string `json:"due,omitempty"`
	Notes       *string `json:"notes,omitempty"`
	Required    *bool   `json:"required,omitempty"`
}

// UpdateItem saves edits to an item's text (as typed: an unreadable due date is refused).
func UpdateItem(ctx context.Context, p *project.Project, id int64, patch Patch) error {
	var sets []string
	var args []any
	add := func(col string, v any) { sets = append(sets, col+" = ?"); args = append(args, v) }
	if patch.Title != nil {
		if strings.TrimSpace(*patch.Title) == "" {
			return fmt.Errorf("a checklist item needs a title")
		}
		add("title", strings.TrimSpace(*patch.Title))
	}
	if patch.Description != nil {
		add("description", *patch.Description)
	}
	if patch.Owner != nil {
		add("owner", strings.TrimSpace(*patch.Owner))
	}
	if patch.Due != nil {
		if err := ValidDue(*patch.Due); err != nil {
			return err
		}
		add("due", strings.TrimSpace(*patch.Due))
	}
	if patch.Notes != nil {
		add("notes", *patch.Notes)
	}
	if patch.Required != nil {
		add("required", boolInt(*patch.Required))
	}
	if len(sets) == 0 {
		return nil
	}
	add("updated_at", now())
	args = append(args, id)
	return p.Do(ctx, "checklist.item.edit", map[string]any{"item": id, "changes": patch}, nil, func(tx *sql.Tx) error {
		return mustChange(tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...))
	})
}

// SetStatus changes an item's status. Marking it done or not applicable records who checked it and
// when; moving it back clears that (the custody log keeps the history), and withdraws a signature.
func SetStatus(ctx context.Context, p *project.Project, id int64, st Status) error {
	if !st.Valid() {
		return fmt.Errorf("%q is not a checklist status", st)
	}
	who := p.Who().Actor
	return p.Write(ctx, func(tx *sql.Tx) error {
		var title, old, signedBy, kind string
		err := tx.QueryRowContext(ctx, `SELECT title, status, signed_by, kind FROM ferry_checklist_items WHERE id = ?`, id).Scan(&title, &old, &signedBy, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("changing the status: %w", err)
		}
		if Kind(kind) == SignOff && st == Done {
			return fmt.Errorf("%q is done when it is signed: %w", title, ErrSignToClose)
		}
		params := map[string]any{"item": id, "title": title, "from": old, "to": string(st)}
		t := now()
		if st.Closed() {
			_, err = tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET status = ?, checked_by = ?, checked_at = ?, updated_at = ? WHERE id = ?`,
				string(st), who, t, t, id)
		} else {
			if signedBy != "" {
				params["signature_withdrawn"] = signedBy
			}
			_, err = tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET status = ?, checked_by = '', checked_at = '',
				signed_by = '', signed_at = '', updated_at = ? WHERE id = ?`, string(st), t, id)
		}
		if err != nil {
			return fmt.Errorf("changing the status of %q: %w", title, err)
		}
		return p.Log(ctx, tx, "checklist.item.status", params, nil)
	})
}

// Sign records that name signs off a sign-off item now; it marks the item done.
func Sign(ctx context.Context, p *project.Project, id int64, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("type the name of the person signing off")
	}
	who := p.Who().Actor
	return p.Write(ctx, func(tx *sql.Tx) error {
		var title, kind string
		err := tx.QueryRowContext(ctx, `SELECT title, kind FROM ferry_checklist_items WHERE id = ?`, id).Scan(&title, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("signing off: %w", err)
		}
		if Kind(kind) != SignOff {
			return fmt.Errorf("signing off %q: %w", title, ErrNotSignOff)
		}
		t := now()
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET status = 'done', signed_by = ?, signed_at = ?,
			checked_by = ?, checked_at = ?, updated_at = ? WHERE id = ?`, name, t, who, t, t, id); err != nil {
			return fmt.Errorf("signing off %q: %w", title, err)
		}
		return p.Log(ctx, tx, "checklist.signoff", map[string]any{"item": id, "title": title, "signed_by": name}, nil)
	})
}

// DeleteItem removes an item and its evidence.
func DeleteItem(ctx context.Context, p *project.Project, id int64) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		var title string
		var files int
		err := tx.QueryRowContext(ctx, `SELECT title, (SELECT count(*) FROM ferry_checklist_evidence WHERE item_id = i.id)
			FROM ferry_checklist_items i WHERE id = ?`, id).Scan(&title, &files)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("deleting the item: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_checklist_items WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting %q: %w", title, err)
		}
		return p.Log(ctx, tx, "checklist.item.delete", map[string]any{"item": id, "title": title, "evidence_files": files}, nil)
	})
}

// MoveItem puts an item at position index (0 = first) of a group, which may be another group.
func MoveItem(ctx context.Context, p *project.Project, id, groupID int64, index int) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		var from int64
		var title string
		err := tx.QueryRowContext(ctx, `SELECT group_id, title FROM ferry_checklist_items WHERE id = ?`, id).Scan(&from, &title)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("moving the item: %w", err)
		}
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ferry_checklist_groups WHERE id = ?`, groupID).Scan(&ok); err != nil || ok == 0 {
			return fmt.Errorf("moving %q: there is no such group", title)
		}
		ids, err := idsWhere(ctx, tx, `SELECT id FROM ferry_checklist_items WHERE group_id = ? AND id != ? ORDER BY ord, id`, groupID, id)
		if err != nil {
			return err
		}
		ids = insertAt(ids, id, index)
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET group_id = ?, updated_at = ? WHERE id = ?`, groupID, now(), id); err != nil {
			return err
		}
		for i, iid := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET ord = ? WHERE id = ?`, i+1, iid); err != nil {
				return err
			}
		}
		if from != groupID {
			rest, err := idsWhere(ctx, tx, `SELECT id FROM ferry_checklist_items WHERE group_id = ? ORDER BY ord, id`, from)
			if err != nil {
				return err
			}
			for i, iid := range rest {
				if _, err := tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET ord = ? WHERE id = ?`, i+1, iid); err != nil {
					return err
				}
			}
		}
		return p.Log(ctx, tx, "checklist.item.move", map[string]any{"item": id, "title": title, "from_group": from,
			"to_group": groupID, "to": index}, nil)
	})
}

func idsWhere(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func insertAt(ids []int64, id int64, index int) []int64 {
	if index < 0 {
		index = 0
	}
	if index > len(ids) {
		index = len(ids)
	}
	out := make([]int64, 0, len(ids)+1)
	out = append(out, ids[:index]...)
	out = append(out, id)
	return append(out, ids[index:]...)
}

func mustChange(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

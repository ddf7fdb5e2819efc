package checklist

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
)

// MaxEvidenceSize is the largest file kept as evidence: screenshots, PDFs and exports fit; a
// video of the whole day does not belong in the project file.
const MaxEvidenceSize = 64 << 20

// Attach keeps data as evidence for an item, under name, with its size and SHA-256.
func Attach(ctx context.Context, p *project.Project, itemID int64, name string, data []byte) (Evidence, error) {
	name = strings.TrimSpace(filepath.Base(name))
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "evidence"
	}
	if len(data) > MaxEvidenceSize {
		return Evidence{}, fmt.Errorf("attaching %s (%d MB): %w; Ferry keeps files up to %d MB. Attach a screenshot or a PDF of the part that matters",
			name, len(data)>>20, ErrTooLarge, MaxEvidenceSize>>20)
	}
	sum := sha256.Sum256(data)
	ev := Evidence{ItemID: itemID, Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		AddedBy: p.Who().Actor, AddedAt: time.Now().UTC().Truncate(time.Second)}
	err := p.Write(ctx, func(tx *sql.Tx) error {
		var title string
		err := tx.QueryRowContext(ctx, `SELECT title FROM ferry_checklist_items WHERE id = ?`, itemID).Scan(&title)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO ferry_checklist_evidence(item_id, name, size, sha256, data, added_by, added_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, itemID, ev.Name, ev.Size, ev.SHA256, data, ev.AddedBy, ev.AddedAt.Format(time.RFC3339))
		if err != nil {
			return fmt.Errorf("attaching %s to %q: %w", name, title, err)
		}
		if ev.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ferry_checklist_items SET updated_at = ? WHERE id = ?`, now(), itemID); err != nil {
			return err
		}
		return p.Log(ctx, tx, "checklist.evidence.attach", map[string]any{"item": itemID, "title": title, "evidence": ev.ID,
			"name": ev.Name, "size": ev.Size}, map[string]string{ev.Name: ev.SHA256})
	})
	if err != nil {
		return Evidence{}, err
	}
	return ev, nil
}

// AttachFile reads a file and attaches it as evidence.
func AttachFile(ctx context.Context, p *project.Project, itemID int64, path string) (Evidence, error) {
	f, err := os.Open(path)
	if err != nil {
		return Evidence{}, fmt.Errorf("attaching %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxEvidenceSize+1))
	if err != nil {
		return Evidence{}, fmt.Errorf("attaching %s: %w", filepath.Base(path), err)
	}
	return Attach(ctx, p, itemID, filepath.Base(path), data)
}

// EvidenceData reads an attached file's bytes back and checks them against their SHA-256.
func EvidenceData(ctx context.Context, p *project.Project, id int64) (Evidence, []byte, error) {
	var ev Evidence
	var at string
	var data []byte
	err := p.Reader().QueryRowContext(ctx, `SELECT id, item_id, name, size, sha256, added_by, added_at, data
		FROM ferry_checklist_evidence WHERE id = ?`, id).Scan(&ev.ID, &ev.ItemID, &ev.Name, &ev.Size, &ev.SHA256, &ev.AddedBy, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return ev, nil, fmt.Errorf("reading evidence %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ev, nil, fmt.Errorf("reading evidence %d: %w", id, err)
	}
	ev.AddedAt, _ = time.Parse(time.RFC3339, at)
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != ev.SHA256 {
		return ev, data, fmt.Errorf("evidence %s no longer matches the fingerprint taken when it was attached: %w", ev.Name, project.ErrDamaged)
	}
	return ev, data, nil
}

// RemoveEvidence deletes an attached file (the custody log keeps its name and fingerprint).
func RemoveEvidence(ctx context.Context, p *project.Project, id int64) error {
	return p.Write(ctx, func(tx *sql.Tx) error {
		var itemID int64
		var name, sum string
		err := tx.QueryRowContext(ctx, `SELECT item_id, name, sha256 FROM ferry_checklist_evidence WHERE id = ?`, id).Scan(&itemID, &name, &sum)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ferry_checklist_evidence WHERE id = ?`, id); err != nil {
			return fmt.Errorf("removing %s: %w", name, err)
		}
		return p.Log(ctx, tx, "checklist.evidence.remove", map[string]any{"item": itemID, "evidence": id, "name": name},
			map[string]string{name: sum})
	})
}

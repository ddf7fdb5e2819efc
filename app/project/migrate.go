package project

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Schema changes are numbered SQL files, applied in order, each in its own transaction together
// with the bump of PRAGMA user_version. Never edit a migration that has shipped: add the next one.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() []migration {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		panic(err) // embedded at build time; cannot fail at run time
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			panic("migration without a number: " + e.Name())
		}
		b, _ := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			panic(fmt.Sprintf("migrations must be numbered 1, 2, 3 ... without gaps; found %s", m.name))
		}
	}
	return out
}

var migrations = loadMigrations()

// SchemaVersion is the schema this build of Ferry writes.
var SchemaVersion = len(migrations)

func migrate(ctx context.Context, db *sql.DB) (from, to int, err error) {
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&from); err != nil {
		return 0, 0, fmt.Errorf("reading the schema version: %w", err)
	}
	if from > SchemaVersion {
		return from, from, ErrNewerVersion
	}
	for _, m := range migrations[from:] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return from, m.version - 1, err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return from, m.version - 1, fmt.Errorf("applying %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, m.version)); err != nil {
			tx.Rollback()
			return from, m.version - 1, fmt.Errorf("applying %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return from, m.version - 1, fmt.Errorf("applying %s: %w", m.name, err)
		}
	}
	return from, SchemaVersion, nil
}

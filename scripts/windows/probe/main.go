// Command probe checks, from inside a Windows (or Linux) process, what the Windows smoke test
// (scripts/windows/smoke.sh) cannot see from outside Wine: where settings land, how a folder is
// classified for SQLite, which journal a project file is in, and whether imported values arrived
// with their accents intact. It is a test tool, never shipped.
//
//	probe settings NAME        save NAME as the user's name, print the settings folder and file
//	probe storage PATH         print how PATH's folder is classified (local, network, synced)
//	probe journal FILE.ferry   print "wal" or "rollback" from the file header
//	probe find FILE.ferry TEXT…  exit 1 unless every TEXT is a cell value in some table
//	probe exe FILE.exe         print the PE subsystem and the resource types (icon, version …)
//	probe hold FILE SECONDS    keep FILE open with no sharing, as Excel does (Windows only)
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/settings"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: probe settings NAME | storage PATH | journal FILE.ferry | find FILE.ferry TEXT…")
	}
	switch args[0] {
	case "settings":
		if err := settings.Update(func(s *settings.Settings) { s.UserName = args[1] }); err != nil {
			return err
		}
		dir, err := settings.Dir()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "dir=%s\nfile=%s\nuser=%s\n", dir, filepath.Join(dir, "settings.json"), settings.Load().UserName)
		return nil
	case "storage":
		s := project.StorageAt(args[1])
		kind := map[project.StorageKind]string{project.StorageLocal: "local", project.StorageNetwork: "network",
			project.StorageSynced: "synced"}[s.Kind]
		fmt.Fprintf(out, "kind=%s\nwhere=%s\nwarning=%s\n", kind, s.Where, s.Warning(filepath.Base(args[1])))
		return nil
	case "journal":
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		var h [20]byte
		if _, err := io.ReadFull(f, h[:]); err != nil {
			return err
		}
		// SQLite header bytes 18 and 19: 1 = rollback journal, 2 = WAL.
		mode := map[byte]string{1: "rollback", 2: "wal"}[h[18]]
		if mode == "" {
			return fmt.Errorf("unknown file format byte %d", h[18])
		}
		fmt.Fprintln(out, mode)
		return nil
	case "find":
		return find(ctx, args[1], args[2:], out)
	case "exe":
		return describeExe(args[1], out)
	case "hold":
		if len(args) < 3 {
			return errors.New("usage: probe hold FILE SECONDS")
		}
		secs, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		return hold(args[1], time.Duration(secs)*time.Second, out)
	}
	return fmt.Errorf("unknown probe %q", args[0])
}

// find looks for each text as a whole cell value in every table of the project.
func find(ctx context.Context, path string, texts []string, out io.Writer) error {
	p, err := project.Open(ctx, path, project.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer p.Close()
	db := p.Reader()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, n)
	}
	rows.Close()
	want := map[string]string{} // text -> table it was found in
	for _, t := range texts {
		want[t] = ""
	}
	for _, t := range tables {
		if err := scanTable(ctx, db, t, want); err != nil {
			return err
		}
	}
	var missing []string
	for _, t := range texts {
		if want[t] == "" {
			missing = append(missing, t)
			fmt.Fprintf(out, "missing: %q\n", t)
		} else {
			fmt.Fprintf(out, "found: %q in %s\n", t, want[t])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d of %d values not found in %s", len(missing), len(texts), filepath.Base(path))
	}
	return nil
}

func scanTable(ctx context.Context, db *sql.DB, table string, want map[string]string) error {
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			var s string
			switch v := v.(type) {
			case string:
				s = v
			case []byte:
				s = string(v)
			default:
				continue
			}
			if found, ok := want[s]; ok && found == "" {
				want[s] = table
			}
		}
	}
	return rows.Err()
}

package custody

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

const testProject = "0123456789abcdef"

// chain makes a log of n events in a plain SQLite file with the project's custody table.
func chain(t *testing.T, n int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE ferry_custody (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
		machine TEXT NOT NULL, action TEXT NOT NULL, params TEXT NOT NULL, inputs TEXT NOT NULL, prev_hash TEXT NOT NULL,
		hash TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		appendEvent(t, db, "step", map[string]int{"i": i})
	}
	return db
}

func appendEvent(t *testing.T, db *sql.DB, action string, params any) Event {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Append(context.Background(), tx, testProject, Who{Actor: "Dr Ada Byrne", Machine: "front-desk"}, action, params,
		map[string]string{"patients.csv": "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ev
}

func verify(t *testing.T, db *sql.DB) Report {
	t.Helper()
	rep, err := Verify(context.Background(), db, testProject)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestEveryEventNamesThePersonAndTheMachine(t *testing.T) {
	db := chain(t, 2)
	evs, _ := List(context.Background(), db, 0)
	for _, e := range evs {
		if e.Actor != "Dr Ada Byrne" || e.Machine != "front-desk" {
			t.Fatalf("event %d by %q on %q", e.Seq, e.Actor, e.Machine)
		}
	}
	// the person and machine are part of the hash: changing either is an alteration
	db.Exec(`UPDATE ferry_custody SET machine = 'elsewhere' WHERE seq = 2`)
	if rep := verify(t, db); rep.OK || rep.Problems[0].Seq != 2 || rep.Problems[0].Kind != "altered" {
		t.Fatalf("machine changed: %v", rep)
	}
}

func TestVerifyNamesAnEventInsertedByRenumberingTheRest(t *testing.T) {
	db := chain(t, 6)
	// Someone who knows the format inserts an event after event 3: renumbers 4..6 to 5..7 and
	// writes a new event 4 that links to event 3, with a correct hash of its own.
	if _, err := db.Exec(`UPDATE ferry_custody SET seq = -seq WHERE seq >= 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE ferry_custody SET seq = 1 - seq WHERE seq < 0`); err != nil {
		t.Fatal(err)
	}
	var prev string
	db.QueryRow(`SELECT hash FROM ferry_custody WHERE seq = 3`).Scan(&prev)
	forged := Event{Seq: 4, Actor: "Mallory", Machine: "laptop", Action: "cleanse.purge", Params: []byte(`{"rows":12}`), PrevHash: prev}
	forged.At, _ = parseTime("2026-01-02T03:04:05Z")
	forged.Hash = forged.computeHash()
	if _, err := db.Exec(`INSERT INTO ferry_custody VALUES (?,?,?,?,?,?,?,?,?)`, forged.Seq, "2026-01-02T03:04:05Z", forged.Actor,
		forged.Machine, forged.Action, string(forged.Params), "null", forged.PrevHash, forged.Hash); err != nil {
		t.Fatal(err)
	}
	rep := verify(t, db)
	if rep.OK || len(rep.Problems) != 1 || rep.Problems[0].Seq != 4 || rep.Problems[0].Kind != "inserted" {
		t.Fatalf("want exactly event 4 named as inserted, got %v", rep)
	}
	if !strings.Contains(rep.String(), "Mallory") || !strings.Contains(rep.String(), "renumbered by 1") {
		t.Fatalf("report does not say who and how: %s", rep)
	}
}

func TestVerifyNamesEachKindExactly(t *testing.T) {
	db := chain(t, 8)
	db.Exec(`UPDATE ferry_custody SET actor = 'Someone Else' WHERE seq = 3`)
	db.Exec(`DELETE FROM ferry_custody WHERE seq IN (5, 6)`)
	rep := verify(t, db)
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.Kind+" "+itoa(p.Seq))
	}
	if strings.Join(got, ", ") != "altered 3, removed 5" || !strings.Contains(rep.String(), "events 5 to 6 are missing") {
		t.Fatalf("got %v\n%s", got, rep)
	}
}

func TestVerifyAcceptsAnEmptyAndAnIntactLog(t *testing.T) {
	if rep := verify(t, chain(t, 0)); !rep.OK || rep.Events != 0 {
		t.Fatalf("empty: %v", rep)
	}
	if rep := verify(t, chain(t, 100)); !rep.OK || rep.Events != 100 {
		t.Fatalf("intact: %v", rep)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// Package custody keeps the project's chain of custody: an append-only log of every action that
// changed the project, each event carrying the hash of the one before it, so that an altered,
// removed or inserted event can be pointed at afterwards.
package custody

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Event is one entry of the log as stored.
type Event struct {
	Seq      int64             `json:"seq"`
	At       time.Time         `json:"at"`
	Actor    string            `json:"actor"`
	Machine  string            `json:"machine"`
	Action   string            `json:"action"`
	Params   json.RawMessage   `json:"params"`
	Inputs   map[string]string `json:"inputs,omitempty"` // name -> SHA-256 of an input (a file, a recipe)
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

// Who names the person and machine an event is attributed to.
type Who struct {
	Actor   string
	Machine string
}

// Genesis is the previous-hash of the first event; it binds the chain to one project.
func Genesis(projectID string) string {
	s := sha256.Sum256([]byte("ferry-custody:" + projectID))
	return hex.EncodeToString(s[:])
}

// Append adds an event inside the caller's transaction, so the event and the change it describes
// are committed together or not at all.
func Append(ctx context.Context, tx *sql.Tx, projectID string, who Who, action string, params any, inputs map[string]string) (Event, error) {
	ev := Event{Actor: who.Actor, Machine: who.Machine, Action: action, Inputs: inputs}
	if params == nil {
		params = map[string]any{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return ev, fmt.Errorf("custody: encoding parameters of %s: %w", action, err)
	}
	ev.Params = raw
	var last sql.NullInt64
	var prev sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM ferry_custody ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	switch {
	case err == sql.ErrNoRows:
		ev.Seq, ev.PrevHash = 1, Genesis(projectID)
	case err != nil:
		return ev, fmt.Errorf("custody: reading the last event: %w", err)
	default:
		ev.Seq, ev.PrevHash = last.Int64+1, prev.String
	}
	ev.At = time.Now().UTC().Truncate(time.Microsecond)
	ev.Hash = ev.computeHash()
	inputsJSON, _ := json.Marshal(ev.Inputs)
	_, err = tx.ExecContext(ctx, `INSERT INTO ferry_custody(seq, at, actor, machine, action, params, inputs, prev_hash, hash)
		VALUES (?,?,?,?,?,?,?,?,?)`, ev.Seq, ev.At.Format(time.RFC3339Nano), ev.Actor, ev.Machine, ev.Action,
		string(ev.Params), string(inputsJSON), ev.PrevHash, ev.Hash)
	if err != nil {
		return ev, fmt.Errorf("custody: writing event %s: %w", action, err)
	}
	return ev, nil
}

func (e Event) computeHash() string {
	inputs, _ := json.Marshal(e.Inputs) // map keys are sorted by encoding/json
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n%s\n%s\n%s\n%s\n%s\n%s", e.Seq, e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Machine, e.Action, e.Params, inputs, e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// List returns events in order, the newest last. limit <= 0 means all.
func List(ctx context.Context, db *sql.DB, limit int) ([]Event, error) {
	q := `SELECT seq, at, actor, machine, action, params, inputs, prev_hash, hash FROM ferry_custody ORDER BY seq`
	if limit > 0 {
		q = fmt.Sprintf(`SELECT * FROM (SELECT seq, at, actor, machine, action, params, inputs, prev_hash, hash
			FROM ferry_custody ORDER BY seq DESC LIMIT %d) ORDER BY seq`, limit)
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("custody: reading the log: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at, params, inputs string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Machine, &e.Action, &params, &inputs, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("custody: reading the log: %w", err)
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		e.Params = json.RawMessage(params)
		if inputs != "" && inputs != "null" {
			_ = json.Unmarshal([]byte(inputs), &e.Inputs)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Problem is one place where the chain does not hold.
type Problem struct {
	Seq    int64  `json:"seq"`
	Kind   string `json:"kind"` // altered, removed, inserted
	Detail string `json:"detail"`
}

// Report is the outcome of Verify.
type Report struct {
	Events   int       `json:"events"`
	OK       bool      `json:"ok"`
	Problems []Problem `json:"problems,omitempty"`
}

func (r Report) String() string {
	if r.OK {
		return fmt.Sprintf("custody log intact: %d events, chain verified", r.Events)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "custody log does NOT hold (%d events checked):", r.Events)
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\n  event %d %s: %s", p.Seq, p.Kind, p.Detail)
	}
	return b.String()
}

// Verify walks the whole chain and names each event that was altered, removed or inserted.
//
// An event whose stored hash no longer matches its content was altered. A gap in the sequence
// numbers means events were removed. An event the chain does not lead through - the event
// after it links to the one before it - was inserted; when the later events were renumbered to
// make room, each still matches its hash under its old number, so only the inserted one is named.
func Verify(ctx context.Context, db *sql.DB, projectID string) (Report, error) {
	evs, err := List(ctx, db, 0)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Events: len(evs), OK: true}
	add := func(p Problem) { rep.OK = false; rep.Problems = append(rep.Problems, p) }
	// own[i]: how far event i was renumbered (0: not at all); -1: its content does not match its hash
	own := make([]int64, len(evs))
	for i, e := range evs {
		own[i] = -1
		for shift := int64(0); shift <= maxShift && shift < e.Seq; shift++ {
			c := e
			c.Seq -= shift
			if c.computeHash() == e.Hash {
				own[i] = shift
				break
			}
		}
	}
	reported := map[int64]bool{}
	prevHash, prevSeq := Genesis(projectID), int64(0)
	beforePrev := ""
	for i, e := range evs {
		if e.Seq != prevSeq+1 {
			add(Problem{Seq: prevSeq + 1, Kind: "removed",
				Detail: fmt.Sprintf("events %d to %d are missing from the log", prevSeq+1, e.Seq-1)})
		}
		switch {
		case own[i] < 0:
			add(Problem{Seq: e.Seq, Kind: "altered", Detail: fmt.Sprintf("%q by %s on %s at %s no longer matches its hash",
				e.Action, e.Actor, e.Machine, e.At.Format(time.RFC3339))})
			reported[e.Seq] = true
		case e.PrevHash == prevHash:
			// linked as it should be
		case i > 0 && beforePrev != "" && e.PrevHash == beforePrev:
			// e links past the event before it: that one was put in
			if q := evs[i-1]; !reported[q.Seq] || own[i-1] < 0 {
				add(Problem{Seq: q.Seq, Kind: "inserted", Detail: fmt.Sprintf("%q by %s on %s at %s was put into the chain after it was written%s",
					q.Action, q.Actor, q.Machine, q.At.Format(time.RFC3339), renumbered(own[i]))})
				reported[q.Seq] = true
			}
		case e.Seq == prevSeq+1:
			add(Problem{Seq: e.Seq, Kind: "inserted", Detail: fmt.Sprintf("%q by %s on %s does not follow event %d in the chain",
				e.Action, e.Actor, e.Machine, prevSeq)})
			reported[e.Seq] = true
		}
		beforePrev, prevHash, prevSeq = prevHash, e.Hash, e.Seq
	}
	return rep, nil
}

// maxShift is how far Verify looks for events renumbered to make room for inserted ones.
const maxShift = 64

func renumbered(shift int64) string {
	if shift <= 0 {
		return ""
	}
	return fmt.Sprintf(" (the events after it were renumbered by %d to make room)", shift)
}

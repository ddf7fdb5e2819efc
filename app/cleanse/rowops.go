package cleanse

import (
	"database/sql"
	"fmt"
	"strings"
)

// run dispatches a step to its op. It may fill in the step (finding ids become rows and keys):
// what is left in it is what the history and the recipe record.
func run(e *env, s *Step, out sink) error {
	s.Table = e.t.Name
	switch {
	case cellOps[s.Op]:
		return runCells(e, *s, out)
	case s.Op == OpSplitName:
		return runSplitName(e, *s, out)
	case s.Op == OpMergeColumns:
		return runMergeColumns(e, *s, out)
	case s.Op == OpPurge:
		return runPurge(e, s, out)
	case s.Op == OpMergeDuplicates:
		return runMerge(e, s, out)
	}
	return fmt.Errorf("%q: %w", s.Op, ErrUnknownOp)
}

// target resolves a column an op writes: the table's own (by any case) or a new one, created
// through the sink before the table is read.
func (e *env) target(name string, out sink) (string, error) {
	if real, ok := e.t.has(name); ok {
		return real, nil
	}
	if err := out.addColumn(name); err != nil {
		return "", err
	}
	if _, ok := e.t.has(name); !ok {
		// a preview: the column is not created, it reads as NULL
		e.t.Columns = append(e.t.Columns, name)
		if e.virtual == nil {
			e.virtual = map[string]bool{}
		}
		e.virtual[strings.ToLower(name)] = true
	}
	return name, nil
}

func blank(v sql.NullString) bool { return !v.Valid || trimSpace(v.String) == "" }

func str(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// runSplitName splits a whole name into its parts. A row is changed only when the name reads
// the step's way and every column that would receive a part (other than the name's own
// column) is blank; otherwise it is left as it was and reported.
func runSplitName(e *env, s Step, out sink) error {
	src, err := e.column(s.Column)
	if err != nil {
		return err
	}
	names := []string{s.First, s.Last, s.Middle}
	targets := make([]string, 3)
	for i, n := range names {
		if n == "" {
			continue
		}
		if targets[i], err = e.target(n, out); err != nil {
			return err
		}
	}
	cols := []string{src, targets[0], targets[1], targets[2]}
	return e.scan(cols, func(r *scanRow) error {
		v := r.Vals[0]
		if blank(v) {
			return nil
		}
		var first, middle, last string
		var ok bool
		if s.Order == "last_first" {
			if !strings.Contains(v.String, ",") {
				return nil // "Smith": not written last-first, nothing to split
			}
			last, first, middle, ok = splitLastFirst(v.String)
		} else {
			first, middle, last, ok = splitFirstLast(v.String)
		}
		if !ok {
			out.leave(LeftNotName, src, v.String, r.ID)
			return nil
		}
		if targets[2] == "" && middle != "" {
			first += " " + middle
			middle = ""
		}
		parts := []string{first, last, middle}
		for i, t := range targets {
			if t != "" && parts[i] != "" && !strings.EqualFold(t, src) && !blank(r.Vals[1+i]) {
				out.leave(LeftTargetFilled, t, v.String, r.ID)
				return nil
			}
		}
		for i, t := range targets {
			if t == "" || parts[i] == "" {
				continue
			}
			old := r.Vals[1+i]
			if strings.EqualFold(t, src) {
				old = v
			}
			if old.Valid && old.String == parts[i] {
				continue
			}
			if err := out.cell(r, t, old, str(parts[i])); err != nil {
				return err
			}
		}
		return nil
	})
}

// runMergeColumns joins the non-blank values of columns, in order, into the target column.
func runMergeColumns(e *env, s Step, out sink) error {
	var cols []string
	for _, c := range s.TargetColumns() {
		real, err := e.column(c)
		if err != nil {
			return err
		}
		cols = append(cols, real)
	}
	t, err := e.target(s.Target, out)
	if err != nil {
		return err
	}
	read := append(cols[:len(cols):len(cols)], t)
	sep := *s.Separator
	parts := make([]string, 0, len(cols))
	return e.scan(read, func(r *scanRow) error {
		parts = parts[:0]
		for i := range cols {
			if v := r.Vals[i]; !blank(v) {
				parts = append(parts, trimSpace(v.String))
			}
		}
		if len(parts) == 0 {
			return nil
		}
		joined := strings.Join(parts, sep)
		old := r.Vals[len(cols)]
		if old.Valid && old.String == joined {
			return nil
		}
		return out.cell(r, t, old, str(joined))
	})
}

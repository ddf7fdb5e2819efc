package cleanse

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/staging"
)

// runPurge takes rows out of the table (into its removed-rows table, with the reason).
func runPurge(e *env, s *Step, out sink) error {
	if s.FindingID != 0 {
		f, err := audit.GetFinding(e.ctx, e.p, s.FindingID)
		if err != nil {
			return err
		}
		if !strings.EqualFold(f.Table, e.t.Name) {
			return s.bad("finding %d is about %s, not %s", s.FindingID, f.Table, e.t.Name)
		}
		rows, err := audit.FindingRows(e.ctx, e.p, s.FindingID, 0, 0)
		if err != nil {
			return err
		}
		s.Records = make([]RowRef, len(rows))
		for i, r := range rows {
			s.Records[i] = RowRef{Row: r}
		}
		s.FindingID = 0
		if len(rows) == 0 {
			return s.bad("finding %d names no rows", f.ID)
		}
	}
	remove := func(r *scanRow) error {
		return out.remove(RemovedRow{Row: r.ID, Line: r.Line, Key: r.Key, Kind: "purge", Reason: s.Reason})
	}
	switch {
	case len(s.Records) > 0:
		fs, err := e.findRows(s.Records, nil)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		var rows []found
		for i, f := range fs {
			if f.row == 0 {
				out.leave(f.reason, "", refLabel(s.Records[i]), 0)
				continue
			}
			if !seen[f.row] {
				seen[f.row] = true
				rows = append(rows, f)
			}
		}
		slices.SortFunc(rows, func(a, b found) int { return int(a.row - b.row) })
		for _, f := range rows {
			if err := remove(&scanRow{ID: f.row, Line: f.line, Key: f.key}); err != nil {
				return err
			}
		}
		return nil
	case s.TestRecords:
		first, last, full := peopleColumns(e.t.Columns, s.FirstName, s.LastName)
		for _, c := range []*string{&first, &last, &full} {
			if *c != "" {
				real, err := e.column(*c)
				if err != nil {
					return err
				}
				*c = real
			}
		}
		if first == "" && last == "" && full == "" {
			return s.bad("Ferry cannot tell which columns hold names: give first_name and last_name")
		}
		return e.scan([]string{first, last, full}, func(r *scanRow) error {
			f, l := r.Vals[0].String, r.Vals[1].String
			switch {
			case full != "":
				if ll, ff, _, ok := splitLastFirst(r.Vals[2].String); ok {
					f, l = ff, ll
				} else if ff, _, ll, ok := splitFirstLast(r.Vals[2].String); ok {
					f, l = ff, ll
				} else {
					l = r.Vals[2].String
				}
			case trimSpace(f) == "" && strings.Contains(l, ","):
				if ll, ff, _, ok := splitLastFirst(l); ok {
					f, l = ff, ll
				}
			}
			if isTestName(f, l) {
				return remove(r)
			}
			return nil
		})
	case s.Before != "":
		col, err := e.column(s.TargetColumns()[0])
		if err != nil {
			return err
		}
		order := s.Order
		return e.scan([]string{col}, func(r *scanRow) error {
			v := r.Vals[0]
			if blank(v) {
				out.leave(LeftNoDate, col, "", r.ID)
				return nil
			}
			d, reason := dateOf(v.String, order)
			if reason != "" {
				out.leave(reason, col, v.String, r.ID)
				return nil
			}
			if d < s.Before {
				return remove(r)
			}
			return nil
		})
	case len(s.Values) > 0:
		col, err := e.column(s.TargetColumns()[0])
		if err != nil {
			return err
		}
		set := map[string]bool{}
		for _, v := range s.Values {
			set[trimSpace(v)] = true
		}
		return e.scan([]string{col}, func(r *scanRow) error {
			if v := r.Vals[0]; v.Valid && set[trimSpace(v.String)] {
				return remove(r)
			}
			return nil
		})
	}
	return s.bad("say which rows to purge")
}

// group is one set of rows a merge makes into one: rows[0] survives.
type group struct {
	rows   []int64
	fields map[string]int64 // column → the member row its value comes from
}

// runMerge merges each group into its survivor: the survivor takes the chosen values (and,
// with fill_blanks, the first value its members have where it has none), the other members
// are taken out of the table (kind merge, with the survivor's row) and their keys recorded in
// the crosswalk against the survivor's.
func runMerge(e *env, s *Step, out sink) error {
	if s.FindingID != 0 {
		f, err := audit.GetFinding(e.ctx, e.p, s.FindingID)
		if err != nil {
			return err
		}
		if !strings.EqualFold(f.Table, e.t.Name) {
			return s.bad("finding %d is about %s, not %s", s.FindingID, f.Table, e.t.Name)
		}
		cs, err := audit.Clusters(e.ctx, e.p, s.FindingID)
		if err != nil {
			return err
		}
		only := map[int64]bool{}
		for _, id := range s.ClusterIDs {
			only[id] = true
		}
		s.Clusters = nil
		for _, c := range cs {
			if len(only) > 0 && !only[c.ID] {
				continue
			}
			cl := Cluster{Source: c.ID}
			for _, m := range c.Members {
				cl.Members = append(cl.Members, RowRef{Row: m.Row})
			}
			if len(cl.Members) >= 2 {
				s.Clusters = append(s.Clusters, cl)
			}
		}
		if len(s.Clusters) == 0 {
			return s.bad("finding %d has no groups to merge", s.FindingID)
		}
		s.FindingID, s.ClusterIDs = 0, nil
	}
	var groups []group
	var err error
	reason := s.Note
	switch s.Match {
	case "identical":
		groups, err = identicalGroups(e)
		if reason == "" {
			reason = "identical to an earlier row"
		}
	case "same_key":
		if e.t.Key == "" {
			return fmt.Errorf("merging rows with the same key in %s: %w (set it in Sources)", e.t.Name, ErrNoKey)
		}
		groups, err = keyGroups(e)
		if reason == "" {
			reason = "same " + e.t.Key + " as an earlier row"
		}
	default:
		groups, err = clusterGroups(e, s, out)
		if reason == "" {
			reason = "the same record as another row"
		}
	}
	if err != nil {
		return err
	}
	// the members' values, for the survivor's chosen and filled-in values
	var cols []string
	if s.FillBlanks || len(s.Clusters) > 0 {
		cols = e.t.Columns
	}
	var need []int64
	for _, g := range groups {
		need = append(need, g.rows...)
	}
	vals, err := e.loadRows(need, cols)
	if err != nil {
		return err
	}
	for _, g := range groups {
		surv := vals[g.rows[0]]
		if surv == nil {
			continue
		}
		if len(cols) > 0 {
			nv := append([]sql.NullString(nil), surv.Vals...)
			for col, from := range g.fields {
				i := slices.Index(cols, col)
				if m := vals[from]; m != nil && i >= 0 {
					nv[i] = m.Vals[i]
				}
			}
			if s.FillBlanks {
				for i := range cols {
					if !blank(nv[i]) {
						continue
					}
					for _, r := range g.rows[1:] {
						if m := vals[r]; m != nil && !blank(m.Vals[i]) {
							nv[i] = m.Vals[i]
							break
						}
					}
				}
			}
			for i, c := range cols {
				if nv[i] != surv.Vals[i] {
					if err := out.cell(surv, c, surv.Vals[i], nv[i]); err != nil {
						return err
					}
				}
			}
		}
		for _, r := range g.rows[1:] {
			m := vals[r]
			if m == nil {
				continue
			}
			if err := out.remove(RemovedRow{Row: r, Line: m.Line, Key: m.Key, Kind: "merge", Reason: reason, Survivor: surv.ID}); err != nil {
				return err
			}
			if err := out.crosswalk(r, m.Key, surv.ID, surv.Key); err != nil {
				return err
			}
		}
	}
	return nil
}

// clusterGroups finds the members of explicit clusters; members that cannot be found are
// reported, and a cluster without its survivor, or without any other member, is not merged.
func clusterGroups(e *env, s *Step, out sink) ([]group, error) {
	var all []RowRef
	for _, c := range s.Clusters {
		all = append(all, c.Members...)
	}
	fs, err := e.findRows(all, s.Identity)
	if err != nil {
		return nil, err
	}
	for _, c := range s.Clusters {
		for col := range c.Fields {
			if _, err := e.column(col); err != nil {
				return nil, err
			}
		}
	}
	used := map[int64]bool{}
	var groups []group
	k := 0
	for ci := range s.Clusters {
		c := &s.Clusters[ci]
		fsC := fs[k : k+len(c.Members)]
		copy(c.Members, all[k:k+len(c.Members)])
		k += len(c.Members)
		surv := fsC[c.Survivor]
		if surv.row == 0 || used[surv.row] {
			reason := surv.reason
			if used[surv.row] {
				reason = LeftGone
			}
			out.leave(reason, "", refLabel(c.Members[c.Survivor]), 0)
			continue
		}
		g := group{rows: []int64{surv.row}, fields: map[string]int64{}}
		ok := true
		for col, m := range c.Fields {
			if fsC[m].row == 0 {
				ok = false
			} else {
				real, _ := e.column(col)
				g.fields[real] = fsC[m].row
			}
		}
		for i, f := range fsC {
			if i == c.Survivor {
				continue
			}
			if f.row == 0 || used[f.row] || f.row == surv.row {
				reason := f.reason
				if f.row != 0 {
					reason = LeftGone
				}
				out.leave(reason, "", refLabel(c.Members[i]), 0)
				continue
			}
			g.rows = append(g.rows, f.row)
		}
		if !ok || len(g.rows) < 2 {
			continue
		}
		for _, r := range g.rows {
			used[r] = true
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// loadRows reads the given rows' columns (and line and key), by _ferry_row.
func (e *env) loadRows(ids []int64, cols []string) (map[int64]*scanRow, error) {
	out := make(map[int64]*scanRow, len(ids))
	const chunk = 50_000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		var b strings.Builder
		b.WriteString("SELECT " + staging.QuoteIdent(staging.ColRow) + ", " + staging.QuoteIdent(staging.ColLine))
		if e.t.Key != "" {
			b.WriteString(", " + staging.QuoteIdent(e.t.Key))
		} else {
			b.WriteString(", ''")
		}
		for _, c := range cols {
			b.WriteString(", " + e.selectExpr(c))
		}
		b.WriteString(" FROM " + staging.QuoteIdent(e.t.Name) + " WHERE " + staging.QuoteIdent(staging.ColRow) +
			" IN (SELECT value FROM json_each(?))")
		rows, err := e.q.QueryContext(e.ctx, b.String(), jsonInts(part))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.t.Name, err)
		}
		for rows.Next() {
			r := &scanRow{Vals: make([]sql.NullString, len(cols))}
			var key sql.NullString
			dest := []any{&r.ID, &r.Line, &key}
			for i := range r.Vals {
				dest = append(dest, &r.Vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading %s: %w", e.t.Name, err)
			}
			r.Key = key.String
			out[r.ID] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.t.Name, err)
		}
	}
	return out, nil
}

// sameGroups groups the rows whose cols are all equal (byte-exact; NULL equal to NULL but not
// to empty), each group in row order, the groups in the order of their first rows. SQLite does
// the grouping: it sorts a million rows faster than they can be read out.
func sameGroups(e *env, cols []string, where string) ([]group, error) {
	var sel []string
	for _, c := range cols {
		sel = append(sel, e.selectExpr(c))
	}
	q := `SELECT json_group_array(` + staging.QuoteIdent(staging.ColRow) + `) FROM ` + staging.QuoteIdent(e.t.Name) + where +
		` GROUP BY ` + strings.Join(sel, ", ") + ` HAVING count(*) > 1`
	rows, err := e.q.QueryContext(e.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("looking for duplicates in %s: %w", e.t.Name, err)
	}
	defer rows.Close()
	var groups []group
	for rows.Next() {
		var list string
		if err := rows.Scan(&list); err != nil {
			return nil, fmt.Errorf("looking for duplicates in %s: %w", e.t.Name, err)
		}
		var ids []int64
		if err := json.Unmarshal([]byte(list), &ids); err != nil {
			return nil, fmt.Errorf("looking for duplicates in %s: %w", e.t.Name, err)
		}
		slices.Sort(ids)
		groups = append(groups, group{rows: ids})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("looking for duplicates in %s: %w", e.t.Name, err)
	}
	slices.SortFunc(groups, func(a, b group) int { return int(a.rows[0] - b.rows[0]) })
	return groups, nil
}

// identicalGroups: rows equal in every column (and in the cells beyond the header).
func identicalGroups(e *env) ([]group, error) {
	return sameGroups(e, append([]string{staging.ColOverflow}, e.t.Columns...), "")
}

// keyGroups: rows with the same non-blank key.
func keyGroups(e *env) ([]group, error) {
	k := staging.QuoteIdent(e.t.Key)
	return sameGroups(e, []string{e.t.Key}, ` WHERE `+k+` IS NOT NULL AND trim(`+k+`) <> ''`)
}

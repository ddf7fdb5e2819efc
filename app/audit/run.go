package audit

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/app/plan"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// Run audits every staged table of p and stores the run (see the package documentation). A
// cancelled ctx returns its error and stores nothing.
func Run(ctx context.Context, p *project.Project, opts Options, progress func(Progress)) (*Report, error) {
	if p.ReadOnly() {
		return nil, fmt.Errorf("auditing %s: %w", p.Name(), project.ErrReadOnly)
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	if err := declarePresetRelationships(ctx, p); err != nil { // the source preset's keys and references (presets.go)
		return nil, fmt.Errorf("auditing %s: %w", p.Name(), err)
	}
	rep, err := analyze(ctx, p, opts, progress)
	if err != nil {
		return nil, err
	}
	progress(Progress{Stage: "save", Tables: len(rep.Tables), TableIndex: len(rep.Tables)})
	if err := store(ctx, p, rep, opts); err != nil {
		return nil, err
	}
	return rep, nil
}

type tableResult struct {
	job  *tableJob
	part *part
}

func analyze(ctx context.Context, p *project.Project, opts Options, progress func(Progress)) (*Report, error) {
	started := time.Now().UTC()
	st := staging.NewStager(p)
	tables, err := st.Tables(ctx)
	if err != nil {
		return nil, fmt.Errorf("auditing %s: %w", p.Name(), err)
	}
	allRels, err := st.Relationships(ctx)
	if err != nil {
		return nil, fmt.Errorf("auditing %s: %w", p.Name(), err)
	}
	var rels []staging.Relationship
	for _, r := range allRels {
		if r.Confirmed {
			rels = append(rels, r)
		}
	}
	region := strings.ToUpper(strings.TrimSpace(opts.Region))
	if region == "" {
		pl, err := plan.Load(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("auditing %s: %w", p.Name(), err)
		}
		region = pl.Region()
	}
	ref := opts.ReferenceDate
	if ref.IsZero() {
		ref = time.Now()
	}
	ref = time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, time.UTC)
	oldest := ref.AddDate(-maxAge, 0, 0)
	capN := opts.ExactDistinct
	if capN <= 0 {
		capN = 10_000
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = min(3, runtime.GOMAXPROCS(0))
	}
	examples := opts.Examples
	if examples <= 0 {
		examples = 5
	}
	seed := maphash.MakeSeed()
	phones := newPhoneChecker(region)
	mkEnv := func() *env {
		return &env{region: region, refYear: ref.Year(), refDay: int32(ref.Unix() / 86400), oldest: int32(oldest.Unix() / 86400),
			cap: capN, seed: seed, phones: phones.fork()}
	}
	db := p.Reader()
	rep := &Report{Started: started, Region: region, ReferenceDate: ref.Format("2006-01-02"),
		Totals: Totals{Rows: map[string]int64{}, Money: []MoneyTotal{}}}
	results := map[string]*tableResult{}
	var findings []Finding
	sp := sourcePreset(ctx, p)
	for i, t := range tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pr := Progress{Stage: "profile", Table: t.Name, TableIndex: i + 1, Tables: len(tables), RowsTotal: t.Rows}
		progress(pr)
		job, err := planTable(ctx, db, t, i, rels, mkEnv())
		if err != nil {
			return nil, err
		}
		presetPlans(sp, t.Name, job.plans)
		pt, err := scanTable(ctx, db, job, mkEnv, workers, func(done int64) {
			pr.RowsDone = done
			progress(pr)
		})
		if err != nil {
			return nil, err
		}
		pr.Stage, pr.RowsDone = "duplicates", pt.rows
		progress(pr)
		prof, fs, money := finishTable(job, pt)
		rep.Tables = append(rep.Tables, prof)
		presetMeanings(sp, &rep.Tables[len(rep.Tables)-1])
		rep.Totals.Rows[t.Name] = pt.rows
		rep.Totals.Money = append(rep.Totals.Money, money...)
		for k := range fs {
			fs[k].Table, fs[k].tab = t.Name, i
		}
		findings = append(findings, fs...)
		// keep what the relationship checks need, let the rest go
		pt.cols, pt.arr.rowHashes, pt.arr.keys, pt.arr.people, pt.folds = nil, nil, nil, nil, foldCache{}
		results[t.Name] = &tableResult{job: job, part: pt}
	}
	progress(Progress{Stage: "relationships", Tables: len(tables), TableIndex: len(tables)})
	orphans, err := orphanFindings(ctx, db, rels, results)
	if err != nil {
		return nil, err
	}
	findings = append(findings, orphans...)
	if err := fillExamples(ctx, db, findings, results, examples); err != nil {
		return nil, err
	}
	sevRank := map[string]int{Error: 0, Warning: 1, Info: 2}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if sevRank[a.Severity] != sevRank[b.Severity] {
			return sevRank[a.Severity] < sevRank[b.Severity]
		}
		if a.tab != b.tab {
			return a.tab < b.tab
		}
		if a.col != b.col {
			return a.col < b.col
		}
		return a.Kind < b.Kind
	})
	for i := range findings {
		findings[i].RowCount = findings[i].rows.len()
	}
	rep.Findings = findings
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Tables == nil {
		rep.Tables = []TableProfile{}
	}
	rep.Finished = time.Now().UTC()
	rep.summarise()
	return rep, nil
}

// planTable reads a sample of the table and decides what each column is.
func planTable(ctx context.Context, db *sql.DB, t staging.TableInfo, idx int, rels []staging.Relationship, e *env) (*tableJob, error) {
	job := &tableJob{info: t, idx: idx, key: -1, children: map[int]bool{}, parents: map[int]bool{}}
	sample, err := sampleRows(ctx, db, t, 2000)
	if err != nil {
		return nil, err
	}
	colIdx := map[string]int{}
	for i, c := range t.Columns {
		colIdx[strings.ToLower(c.Name)] = i
		vals := make([]string, len(sample))
		for r := range sample {
			vals[r] = sample[r][i]
		}
		job.plans = append(job.plans, planColumn(i, c.Name, vals, e.phones, e.region))
	}
	for _, r := range rels {
		if strings.EqualFold(r.ChildTable, t.Name) {
			if i, ok := colIdx[strings.ToLower(r.ChildColumn)]; ok {
				job.children[i] = true
				job.plans[i].refChild = true
			}
		}
		if strings.EqualFold(r.ParentTable, t.Name) {
			if i, ok := colIdx[strings.ToLower(r.ParentColumn)]; ok {
				job.parents[i] = true
				job.plans[i].refParent = true
			}
		}
	}
	if t.KeyColumn != "" {
		if i, ok := colIdx[strings.ToLower(t.KeyColumn)]; ok {
			job.key, job.keyOrigin = i, "declared"
		}
	}
	if job.key < 0 {
		for i, c := range t.Columns {
			if !keyLike(c.Name, t.Name) {
				continue
			}
			seen := map[string]bool{}
			filled := 0
			for _, row := range sample {
				if !isBlank(row[i]) {
					filled++
					seen[row[i]] = true
				}
			}
			if filled > 0 && float64(filled) >= 0.9*float64(len(sample)) && float64(len(seen)) >= 0.95*float64(filled) {
				job.key, job.keyOrigin = i, "inferred"
				break
			}
		}
	}
	if job.key >= 0 {
		job.plans[job.key].key = true
		if job.plans[job.key].role != roleNone {
			job.plans[job.key].role = roleNone
		}
	}
	pc := &peopleCols{first: -1, last: -1, full: -1, birth: -1, phone: -1, email: -1}
	for i, pl := range job.plans {
		switch {
		case pl.name4 == nameFirst && pc.first < 0:
			pc.first = i
		case pl.name4 == nameLast && pc.last < 0:
			pc.last = i
		case pl.name4 == nameFull && pc.full < 0:
			pc.full = i
		}
		switch {
		case pl.role == roleDate && pl.birth && pc.birth < 0:
			pc.birth = i
		case pl.role == rolePhone && pc.phone < 0:
			pc.phone = i
		case pl.role == roleEmail && pc.email < 0:
			pc.email = i
		}
	}
	gender := false
	for _, c := range t.Columns {
		switch squash(c.Name) {
		case "gender", "sex":
			gender = true
		}
	}
	if (pc.first >= 0 && pc.last >= 0) || (pc.full >= 0 && (pc.birth >= 0 || gender)) {
		if pc.first >= 0 && pc.last >= 0 {
			pc.full = -1
		}
		job.people = pc
	} else {
		// a name column makes a people table only beside a birth date or a gender
		for i := range job.plans {
			if job.plans[i].name4 == nameFull {
				job.plans[i].name4 = nameNone
				job.plans[i].caseCheck = placeHintOf(job.plans[i].name)
			}
		}
	}
	return job, nil
}

// sampleRows reads up to n rows spread evenly over the table.
func sampleRows(ctx context.Context, db *sql.DB, t staging.TableInfo, n int) ([][]string, error) {
	var lo, hi sql.NullInt64
	row := staging.QuoteIdent(staging.ColRow)
	if err := db.QueryRowContext(ctx, "SELECT min("+row+"), max("+row+") FROM "+staging.QuoteIdent(t.Name)).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("sampling %s: %w", t.Name, err)
	}
	if !lo.Valid {
		return nil, nil
	}
	var cols strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			cols.WriteString(", ")
		}
		cols.WriteString("ifnull(" + staging.QuoteIdent(c.Name) + ", '')")
	}
	span := hi.Int64 - lo.Int64 + 1
	var q string
	var args []any
	if span <= int64(n) {
		q = "SELECT " + cols.String() + " FROM " + staging.QuoteIdent(t.Name)
	} else {
		ids := make([]string, n)
		for i := range n {
			ids[i] = "?"
			args = append(args, lo.Int64+span*int64(i)/int64(n))
		}
		q = "SELECT " + cols.String() + " FROM " + staging.QuoteIdent(t.Name) + " WHERE " + row + " IN (" + strings.Join(ids, ",") + ")"
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sampling %s: %w", t.Name, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]string, len(t.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("sampling %s: %w", t.Name, err)
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// finishTable turns a scanned table into its profile, findings and money totals.
func finishTable(job *tableJob, pt *part) (TableProfile, []Finding, []MoneyTotal) {
	t := job.info
	prof := TableProfile{Name: t.Name, Rows: pt.rows, People: job.people != nil}
	if job.key >= 0 {
		prof.KeyColumn, prof.KeyOrigin = t.Columns[job.key].Name, job.keyOrigin
	}
	var findings []Finding
	var money []MoneyTotal
	keyDistinct := int64(-1)
	var keyGroups [][]int64
	if job.key >= 0 {
		keyGroups, keyDistinct = groupHashes(pt.arr.keys)
	}
	for i, c := range pt.cols {
		kd := int64(-1)
		if i == job.key {
			kd = keyDistinct
		}
		cp := c.columnProfile(kd)
		prof.Columns = append(prof.Columns, cp)
		findings = append(findings, c.columnFindings(&cp, c.env.region)...)
		if cp.Type == TypeMoney {
			money = append(money, MoneyTotal{Table: t.Name, Column: cp.Name, Sum: cp.Sum, Parsed: c.moneyParsed,
				Formatted: c.moneyFormatted, NonNumeric: c.moneyText.len()})
		}
	}
	exactGroups, _ := groupHashes(pt.arr.rowHashes)
	exactSkip := map[int64]bool{}
	if len(exactGroups) > 0 {
		rows := surplus(exactGroups)
		rows.each(func(r int64) bool { exactSkip[r] = true; return true })
		f := Finding{Kind: KindDuplicateExact, Severity: Warning, Count: rows.len(), rows: rows, col: -1,
			Method: "identical rows", Clusters: len(exactGroups)}
		f.Message = fmt.Sprintf("%s in %s %s exact copies of an earlier row (%s). Keeping one of each removes them without losing anything.",
			plural(rows.len(), "row", "rows"), t.Name, isAre(rows.len()), plural(int64(len(exactGroups)), "group", "groups"))
		f.clus = groupClusters(exactGroups, "identical rows")
		f.Suggest = Suggestion{"op": "merge_duplicates", "table": t.Name, "keep": "first"}
		findings = append(findings, f)
	}
	if len(keyGroups) > 0 {
		key := t.Columns[job.key].Name
		rows := surplus(keyGroups)
		f := Finding{Kind: KindDuplicateKey, Severity: Error, Column: key, Count: rows.len(), rows: rows, col: job.key,
			Method: "same key", Clusters: len(keyGroups)}
		f.Message = fmt.Sprintf("%s in %s reuse a %s an earlier row already has (%s). The new system needs each %s once: decide which row is right, or merge them.",
			plural(rows.len(), "row", "rows"), t.Name, key, plural(int64(len(keyGroups)), key, key+"s"), key)
		f.clus = groupClusters(keyGroups, "same key")
		f.Suggest = Suggestion{"op": "merge_duplicates", "table": t.Name, "column": key}
		findings = append(findings, f)
	}
	if pc := job.people; pc != nil {
		if n := pt.tests.len(); n > 0 {
			f := Finding{Kind: KindTestRecord, Severity: Warning, Count: n, rows: &pt.tests, col: -1}
			f.Message = fmt.Sprintf("%s in %s look%s like test records (names such as TEST PATIENT or Mickey Mouse). Leave them out of the new system.",
				plural(n, "row", "rows"), t.Name, map[bool]string{true: "s", false: ""}[n == 1])
			f.Suggest = Suggestion{"op": "purge", "table": t.Name, "reason": "test records"}
			findings = append(findings, f)
		}
		if n := pt.lastFirst.len(); n > 0 {
			colIdx := pc.last
			if colIdx < 0 {
				colIdx = pc.full
			}
			col := t.Columns[colIdx].Name
			f := Finding{Kind: KindNameLastFirst, Severity: Warning, Column: col, Count: n, rows: &pt.lastFirst, col: colIdx}
			if pc.last >= 0 && pc.first >= 0 {
				first := t.Columns[pc.first].Name
				f.Message = fmt.Sprintf("%s in %s hold \"Last, First\" while %s is empty: the whole name was typed into one box.",
					plural(n, "value", "values"), col, first)
				f.Suggest = Suggestion{"op": "split_name", "column": col, "into": []string{col, first}, "order": "last_first"}
			} else {
				f.Message = fmt.Sprintf("%s in %s are written \"Last, First\" while the others are \"First Last\".", plural(n, "name", "names"), col)
				f.Suggest = Suggestion{"op": "split_name", "column": col, "order": "last_first"}
			}
			findings = append(findings, f)
		}
		if pc.birth >= 0 && len(pt.arr.people) > 1 {
			order := pt.cols[pc.birth].date.order()
			clusters := fuzzyClusters(pt.arr.people, pt.arr.base, pt.folds.names, order, pt.env.refYear, exactSkip)
			if len(clusters) > 0 {
				var rows []int64
				method := ""
				for _, c := range clusters {
					for _, m := range c.members[1:] {
						rows = append(rows, m.Row)
					}
					if method == "" || methodRank[c.method] > methodRank[method] {
						method = c.method
					}
				}
				slices.Sort(rows)
				rl := rowListOf(rows)
				methods := map[string]int64{}
				for _, c := range clusters {
					methods[c.method]++
				}
				f := Finding{Kind: KindDuplicateFuzzy, Severity: Warning, Count: rl.len(), rows: rl, col: -1,
					Method: strings.Join(sortedKeys(methods), ", "), Clusters: len(clusters), clus: clusters, Values: methods}
				f.Message = fmt.Sprintf("%s in %s look like someone already in the table, entered again under another %s: same birth date and nearly the same name, or the same phone or e-mail (%s). Review each group before merging.",
					plural(rl.len(), "row", "rows"), t.Name, keyWord(prof.KeyColumn), plural(int64(len(clusters)), "group", "groups"))
				f.Suggest = Suggestion{"op": "merge_duplicates", "table": t.Name, "review": true}
				findings = append(findings, f)
			}
		}
	}
	return prof, findings, money
}

func keyWord(k string) string {
	if k == "" {
		return "number"
	}
	return k
}

func groupClusters(groups [][]int64, method string) []cluster {
	out := make([]cluster, len(groups))
	for i, g := range groups {
		c := cluster{method: method, score: 1}
		for _, r := range g {
			c.members = append(c.members, Member{Row: r, Score: 1})
		}
		out[i] = c
	}
	return out
}

// orphanFindings checks every confirmed relationship: child values not among the parent's.
func orphanFindings(ctx context.Context, db *sql.DB, rels []staging.Relationship, results map[string]*tableResult) ([]Finding, error) {
	var out []Finding
	for _, r := range rels {
		ct, pt := findResult(results, r.ChildTable), findResult(results, r.ParentTable)
		if ct == nil || pt == nil {
			continue
		}
		ci, pi := colIndex(ct.job, r.ChildColumn), colIndex(pt.job, r.ParentColumn)
		if ci < 0 || pi < 0 {
			continue
		}
		parent := sortedHashes(pt.part.arr.parentSet[pi])
		pt.part.arr.parentSet[pi] = parent
		var rows []int64
		for _, h := range ct.part.arr.childRefs[ci] {
			if h.row == 0 {
				continue
			}
			if _, found := slices.BinarySearchFunc(parent, h, cmpHash); !found {
				rows = append(rows, int64(h.row))
			}
		}
		if len(rows) == 0 {
			continue
		}
		slices.Sort(rows)
		child := ct.job.info.Columns[ci].Name
		parentName := pt.job.info.Name + "." + pt.job.info.Columns[pi].Name
		missing, err := distinctValues(ctx, db, ct.job.info.Name, child, rows, 100)
		if err != nil {
			return nil, err
		}
		n := int64(len(rows))
		f := Finding{Kind: KindOrphan, Severity: Error, Table: ct.job.info.Name, Column: child, Count: n, rows: rowListOf(rows),
			col: ci, tab: ct.job.idx, Parent: parentName, Missing: missing}
		shown := missing
		if len(shown) > 5 {
			shown = shown[:5]
		}
		more := ""
		if len(missing) > 5 {
			more = ", …"
		}
		f.Message = fmt.Sprintf("%s in %s point at a %s that is not in %s (%s: %s%s). They would be loaded without the record they belong to.",
			plural(n, "row", "rows"), ct.job.info.Name, child, pt.job.info.Name,
			plural(int64(len(missing)), "value", "values"), strings.Join(shown, ", "), more)
		out = append(out, f)
	}
	return out, nil
}

func findResult(results map[string]*tableResult, name string) *tableResult {
	if r, ok := results[name]; ok {
		return r
	}
	for k, r := range results {
		if strings.EqualFold(k, name) {
			return r
		}
	}
	return nil
}

func colIndex(job *tableJob, name string) int {
	for i, c := range job.info.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// distinctValues reads a column's distinct values (in row order, at most max) from some rows.
func distinctValues(ctx context.Context, db *sql.DB, table, column string, rows []int64, maxN int) ([]string, error) {
	if len(rows) > 10_000 {
		rows = rows[:10_000]
	}
	var out []string
	seen := map[string]bool{}
	err := byRows(ctx, db, table, []string{column}, rows, func(row int64, line int64, cells []string) {
		if v := cells[0]; !seen[v] && len(out) < maxN {
			seen[v] = true
			out = append(out, v)
		}
	})
	return out, err
}

// byRows reads some columns of the given rows, in row order, in batches.
func byRows(ctx context.Context, db *sql.DB, table string, cols []string, rows []int64, fn func(row, line int64, cells []string)) error {
	var sel strings.Builder
	sel.WriteString("SELECT " + staging.QuoteIdent(staging.ColRow) + ", " + staging.QuoteIdent(staging.ColLine))
	for _, c := range cols {
		sel.WriteString(", ifnull(" + staging.QuoteIdent(c) + ", '')")
	}
	sel.WriteString(" FROM " + staging.QuoteIdent(table) + " WHERE " + staging.QuoteIdent(staging.ColRow) + " IN (")
	for i := 0; i < len(rows); i += 500 {
		batch := rows[i:min(len(rows), i+500)]
		args := make([]any, len(batch))
		marks := make([]string, len(batch))
		for k, r := range batch {
			args[k], marks[k] = r, "?"
		}
		q := sel.String() + strings.Join(marks, ",") + ") ORDER BY " + staging.QuoteIdent(staging.ColRow)
		rs, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("reading rows of %s: %w", table, err)
		}
		cells := make([]string, len(cols))
		dest := make([]any, len(cols)+2)
		var row, line int64
		dest[0], dest[1] = &row, &line
		for k := range cells {
			dest[k+2] = &cells[k]
		}
		for rs.Next() {
			if err := rs.Scan(dest...); err != nil {
				rs.Close()
				return fmt.Errorf("reading rows of %s: %w", table, err)
			}
			fn(row, line, cells)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return fmt.Errorf("reading rows of %s: %w", table, err)
		}
	}
	return nil
}

// fillExamples reads the first rows of each finding, and the keys of cluster members.
func fillExamples(ctx context.Context, db *sql.DB, findings []Finding, results map[string]*tableResult, n int) error {
	byTable := map[string][]int{}
	for i := range findings {
		byTable[findings[i].Table] = append(byTable[findings[i].Table], i)
	}
	for _, table := range sortedKeys(byTable) {
		res := findResult(results, table)
		if res == nil {
			continue
		}
		job := res.job
		cols := make([]string, len(job.info.Columns))
		for i, c := range job.info.Columns {
			cols[i] = c.Name
		}
		want := map[int64]bool{}
		for _, fi := range byTable[table] {
			f := &findings[fi]
			k := 0
			f.rows.each(func(r int64) bool { want[r] = true; k++; return k < n })
			for _, c := range f.clus {
				for _, m := range c.members {
					want[m.Row] = true
				}
			}
		}
		if len(want) == 0 {
			continue
		}
		rows := make([]int64, 0, len(want))
		for r := range want {
			rows = append(rows, r)
		}
		slices.Sort(rows)
		type rec struct {
			line  int64
			cells []string
		}
		got := make(map[int64]rec, len(rows))
		// only the key, name-like and finding columns are needed for large clusters
		err := byRows(ctx, db, table, cols, rows, func(row, line int64, cells []string) {
			got[row] = rec{line, slices.Clone(cells)}
		})
		if err != nil {
			return err
		}
		for _, fi := range byTable[table] {
			f := &findings[fi]
			ci := colIndex(job, f.Column)
			k := 0
			f.rows.each(func(r int64) bool {
				rc, ok := got[r]
				if !ok {
					return true
				}
				ex := Example{Row: r, Line: rc.line}
				if job.key >= 0 {
					ex.Key = rc.cells[job.key]
				}
				if ci >= 0 {
					ex.Value = rc.cells[ci]
				} else {
					ex.Value = describeRow(job, rc.cells)
				}
				f.Examples = append(f.Examples, ex)
				k++
				return k < n
			})
			for c := range f.clus {
				for m := range f.clus[c].members {
					if rc, ok := got[f.clus[c].members[m].Row]; ok && job.key >= 0 {
						f.clus[c].members[m].Key = rc.cells[job.key]
					}
				}
			}
		}
	}
	return nil
}

// describeRow shows a row by its names and birth date, or its first few columns.
func describeRow(job *tableJob, cells []string) string {
	var parts []string
	if pc := job.people; pc != nil {
		for _, i := range []int{pc.last, pc.first, pc.full, pc.birth} {
			if i >= 0 && cells[i] != "" {
				parts = append(parts, cells[i])
			}
		}
	}
	if len(parts) == 0 {
		for i := 0; i < len(cells) && len(parts) < 4; i++ {
			if cells[i] != "" {
				parts = append(parts, truncate(cells[i], 30))
			}
		}
	}
	return strings.Join(parts, " | ")
}

package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/importers"
)

var syntheaDir = filepath.Join("..", "..", "..", "shared", "data", "synthea-csv")

// syntheaProject imports every Synthea CSV and confirms the relationships Ferry suggests
// (encounters.PATIENT → patients.Id, claims.PROVIDERID → providers.Id …).
func syntheaProject(t *testing.T) (*project.Project, []staging.Relationship) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(syntheaDir, "*.csv"))
	if len(files) == 0 {
		t.Skip("the Synthea CSVs are not in ../shared/data/synthea-csv")
	}
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "synthea.ferry"), project.Options{Actor: "Auditor"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for _, f := range files {
		if _, err := importers.ImportFile(ctx, p, f, importers.Options{}, nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	st := staging.NewStager(p)
	sugg, err := st.SuggestRelationships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sugg {
		if err := st.DeclareRelationship(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// by hand: the insurance columns point at payers, and hold "0" for "none"
	for _, c := range []string{"PRIMARYPATIENTINSURANCEID", "SECONDARYPATIENTINSURANCEID"} {
		if err := st.DeclareRelationship(ctx, staging.Relationship{ChildTable: "claims", ChildColumn: c,
			ParentTable: "payers", ParentColumn: "Id"}); err != nil {
			t.Fatal(err)
		}
	}
	rels, err := st.Relationships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p, rels
}

const ws = `' ' || char(9) || char(10) || char(13)`

func q(s string) string { return staging.QuoteIdent(s) }

func sqlRows(t *testing.T, p *project.Project, query string, args ...any) []int64 {
	t.Helper()
	rows, err := p.Reader().Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func sqlCount(t *testing.T, p *project.Project, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := p.Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// On Synthea's export, orphans and empty values are what plain SQL over the staged tables says.
func TestSyntheaOrphansAndNullsMatchSQL(t *testing.T) {
	p, rels := syntheaProject(t)
	ctx := context.Background()
	rep, err := audit.Run(ctx, p, audit.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) < 10 {
		t.Fatalf("only %d relationships declared: %v", len(rels), rels)
	}
	orphans := 0
	for _, r := range rels {
		want := sqlRows(t, p, `SELECT c._ferry_row FROM `+q(r.ChildTable)+` c WHERE c.`+q(r.ChildColumn)+` IS NOT NULL
			AND trim(c.`+q(r.ChildColumn)+`, `+ws+`) <> '' AND c.`+q(r.ChildColumn)+` NOT IN
			(SELECT `+q(r.ParentColumn)+` FROM `+q(r.ParentTable)+` WHERE `+q(r.ParentColumn)+` IS NOT NULL) ORDER BY 1`)
		fs := rep.Find(audit.KindOrphan, r.ChildTable, r.ChildColumn)
		if len(want) == 0 {
			if len(fs) != 0 {
				t.Errorf("%s: orphan finding (%d) where SQL finds none", r, fs[0].Count)
			}
			continue
		}
		orphans++
		t.Logf("%s: %d orphans", r, len(want))
		if len(fs) != 1 {
			t.Errorf("%s: SQL finds %d orphans, the audit %d findings", r, len(want), len(fs))
			continue
		}
		got, err := audit.FindingRows(ctx, p, fs[0].ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fs[0].Count != int64(len(want)) || !slices.Equal(got, want) {
			t.Errorf("%s: audit %d orphans, SQL %d", r, fs[0].Count, len(want))
		}
		if fs[0].Parent != r.ParentTable+"."+r.ParentColumn {
			t.Errorf("%s: parent %s", r, fs[0].Parent)
		}
	}
	t.Logf("%d relationships, %d with orphans", len(rels), orphans)
	if orphans < 2 {
		t.Errorf("only %d relationships with orphans; the insurance columns of claims have some", orphans)
	}

	generic := `('null', '(null)', 'n/a', '#n/a', 'nil', 'none', '-', '--', '?', 'unknown', 'nan')`
	for _, tb := range rep.Tables {
		for _, c := range tb.Columns {
			col := q(c.Name)
			blank := sqlCount(t, p, `SELECT count(*) FROM `+q(tb.Name)+` WHERE `+col+` IS NULL OR trim(`+col+`, `+ws+`) = ''`)
			if c.Blanks != blank {
				t.Errorf("%s.%s: %d blanks, SQL %d", tb.Name, c.Name, c.Blanks, blank)
			}
			var ph int64
			for tok, n := range c.Placeholders {
				if got := sqlCount(t, p, `SELECT count(*) FROM `+q(tb.Name)+` WHERE trim(`+col+`, `+ws+`) = ?`, tok); got != n {
					t.Errorf("%s.%s: placeholder %q %d times, SQL %d", tb.Name, c.Name, tok, n, got)
				}
				ph += n
			}
			if c.Nulls != blank+ph {
				t.Errorf("%s.%s: nulls %d, blanks %d + placeholders %d", tb.Name, c.Name, c.Nulls, blank, ph)
			}
			if c.Type != audit.TypePhone && c.Type != audit.TypeMoney && c.Type != audit.TypeEmail {
				if g := sqlCount(t, p, `SELECT count(*) FROM `+q(tb.Name)+` WHERE lower(trim(`+col+`, `+ws+`)) IN `+generic); g > ph {
					t.Errorf("%s.%s: SQL sees %d null-like values, the audit %d placeholders", tb.Name, c.Name, g, ph)
				}
			}
			// the column's missing-value finding counts and lists the same rows
			kind := audit.KindMissing
			if ph > 0 {
				kind = audit.KindPlaceholder
			}
			fs := rep.Find(kind, tb.Name, c.Name)
			if c.Nulls == 0 {
				if len(fs) != 0 {
					t.Errorf("%s.%s: %s finding without empty values", tb.Name, c.Name, kind)
				}
				continue
			}
			if len(fs) != 1 || fs[0].Count != c.Nulls {
				t.Errorf("%s.%s: want one %s finding of %d, got %+v", tb.Name, c.Name, kind, c.Nulls, fs)
				continue
			}
			toks := []any{}
			in := []string{}
			for tok := range c.Placeholders {
				toks = append(toks, tok)
				in = append(in, "?")
			}
			cond := col + ` IS NULL OR trim(` + col + `, ` + ws + `) = ''`
			if len(in) > 0 {
				cond += ` OR trim(` + col + `, ` + ws + `) IN (` + strings.Join(in, ",") + `)`
			}
			want := sqlRows(t, p, `SELECT _ferry_row FROM `+q(tb.Name)+` WHERE `+cond+` ORDER BY 1`, toks...)
			got, err := audit.FindingRows(ctx, p, fs[0].ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s.%s: %d rows behind the finding, SQL %d", tb.Name, c.Name, len(got), len(want))
			}
		}
	}
	if testing.Verbose() {
		for _, f := range rep.Findings {
			if f.Kind != audit.KindMissing {
				t.Logf("%-8s %-18s %-20s %-22s %6d  %s", f.Severity, f.Kind, f.Table, f.Column, f.Count, truncateMsg(f.Message))
			}
		}
	}
	_ = os.Stdout
}

func truncateMsg(s string) string {
	if len(s) > 150 {
		return s[:150] + "…"
	}
	return s
}

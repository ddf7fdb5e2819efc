package mapping

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/app/cleanse"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
	"github.com/ferry-migrate/ferry/app/wizard"
)

// crosswalk finds where merged-away records went. The Cleanse step merges duplicate patients
// into one survivor and records merged key → survivor key (cleanse.Crosswalk, cleanse.SurvivorOf);
// an appointment that names a merged patient then refers to the survivor, not to nothing.
// Validation accepts such references; the load step swaps in the survivor's new id.
type crosswalk struct {
	byTable map[int64]map[string]string // source_id → merged key → survivor key
}

// loadCrosswalk reads the Cleanse step's crosswalk of the given tables once, so that checking
// a million references does not ask the database a million times.
func loadCrosswalk(ctx context.Context, p *project.Project, tables []staging.TableInfo) (*crosswalk, error) {
	cw := &crosswalk{byTable: map[int64]map[string]string{}}
	if !wizard.TableExists(ctx, p.Reader(), "ferry_cleanse_crosswalk") {
		return cw, nil
	}
	for _, tb := range tables {
		entries, err := cleanse.Crosswalk(ctx, p, tb.Name)
		if err != nil {
			return nil, fmt.Errorf("reading where merged records of %s went: %w", tb.Name, err)
		}
		if len(entries) == 0 {
			continue
		}
		m := map[string]string{}
		for _, e := range entries { // oldest first: a later merge of the same key wins
			if e.MergedKey != "" {
				m[e.MergedKey] = e.SurvivorKey
			}
		}
		cw.byTable[tb.SourceID] = m
	}
	return cw, nil
}

// survivor follows merges from key (a survivor may itself have been merged later) and returns
// the key the record lives on as.
func (cw *crosswalk) survivor(sourceID int64, key string) (string, bool) {
	m := cw.byTable[sourceID]
	if m == nil {
		return "", false
	}
	cur, ok := m[key]
	if !ok {
		return "", false
	}
	for i := 0; i < 64; i++ {
		next, ok := m[cur]
		if !ok || next == cur {
			break
		}
		cur = next
	}
	return cur, true
}

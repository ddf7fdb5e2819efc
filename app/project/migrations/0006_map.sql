-- The Map step: the new system's layout (targets, frozen as numbered versions when a run uses
-- them), the map from staged tables onto it with its undo log, and the runs that used a frozen
-- target with what validation found, row by row.

-- A target: the working definition (JSON, ferry-target/1; see app/target). active marks the one
-- the Map step works on.
CREATE TABLE ferry_targets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    origin     TEXT NOT NULL,              -- preset:fhir-r4, vendor:patients.xlsx, hand
    definition TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Frozen versions: what a run used, never changed afterwards. sha256 is of the definition.
CREATE TABLE ferry_target_versions (
    target_id  INTEGER NOT NULL REFERENCES ferry_targets(id),
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    frozen_at  TEXT NOT NULL,
    frozen_by  TEXT NOT NULL,
    PRIMARY KEY (target_id, version)
) STRICT;

-- Every run that used a frozen target: validation now, sample and full loads later. map_revision
-- is the map's revision and custody_seq the run's custody event: a later map edit or data change
-- makes the run's findings stale.
CREATE TABLE ferry_runs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,            -- validation, sample, load
    target_id      INTEGER NOT NULL,
    target_version INTEGER NOT NULL,
    map_revision   INTEGER NOT NULL DEFAULT 0,
    custody_seq    INTEGER NOT NULL DEFAULT 0,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    actor          TEXT NOT NULL,
    status         TEXT NOT NULL,            -- ok, errors, failed
    rows           INTEGER NOT NULL DEFAULT 0,
    errors         INTEGER NOT NULL DEFAULT 0,
    summary        TEXT NOT NULL DEFAULT '{}',
    FOREIGN KEY (target_id, target_version) REFERENCES ferry_target_versions(target_id, version)
) STRICT;
CREATE INDEX ferry_runs_target ON ferry_runs(target_id, kind, id);

-- One entity's map (JSON: source table, fields, their source columns and transform chains).
CREATE TABLE ferry_maps (
    target_id  INTEGER NOT NULL REFERENCES ferry_targets(id) ON DELETE CASCADE,
    entity     TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target_id, entity)
) STRICT;

-- The map's edit log, for undo and redo: each edit holds the maps of the entities it changed as
-- they were before and after (JSON objects entity → that entity's map, null for none). Undone edits are the
-- redo stack until the next edit removes them (the custody log keeps every edit regardless).
CREATE TABLE ferry_map_edits (
    id        INTEGER PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES ferry_targets(id) ON DELETE CASCADE,
    action    TEXT NOT NULL,
    summary   TEXT NOT NULL,
    entities  TEXT NOT NULL DEFAULT '[]',
    before    TEXT NOT NULL,
    after     TEXT NOT NULL,
    undone    INTEGER NOT NULL DEFAULT 0,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL
) STRICT;
CREATE INDEX ferry_map_edits_target ON ferry_map_edits(target_id, undone, id);

-- Bumped by every edit, undo and redo: a validation is current only for the revision it saw.
CREATE TABLE ferry_map_revisions (
    target_id INTEGER PRIMARY KEY REFERENCES ferry_targets(id) ON DELETE CASCADE,
    revision  INTEGER NOT NULL
) STRICT;

-- What a validation run found: one row per entity, field and kind, with the rows behind it.
-- field is '' for problems of a whole entity. Problems of the map itself (a required field not
-- mapped, a column that is not there) have count 0, no rows and detail {"problem": true};
-- otherwise detail is JSON: examples, distinct values and their counts.
CREATE TABLE ferry_map_issues (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES ferry_runs(id) ON DELETE CASCADE,
    ord      INTEGER NOT NULL,
    entity   TEXT NOT NULL,
    field    TEXT NOT NULL DEFAULT '',
    kind     TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    count    INTEGER NOT NULL,
    message  TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX ferry_map_issues_run ON ferry_map_issues(run_id, ord);

-- The rows behind an issue, for drill-down: the staged row, its line in the source file and
-- the value as the chain left it. Kept for the newest validation of a target only.
CREATE TABLE ferry_map_issue_rows (
    issue_id INTEGER NOT NULL REFERENCES ferry_map_issues(id) ON DELETE CASCADE,
    row      INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (issue_id, row)
) STRICT, WITHOUT ROWID;

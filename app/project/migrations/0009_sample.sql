-- The Sample run (app/sample) and the delta cutover (app/delta).
--
-- The sample is computed, not stored: a seeded hash of each record's legacy key picks about 10%,
-- then records standing for every audit finding, cleanse operation and pick-list value, then
-- the parents of everything picked. Only what a person decides is kept: records added by hand.
CREATE TABLE ferry_sample_manual (
    entity     TEXT NOT NULL,
    legacy_key TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    added_by   TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (entity, legacy_key)
) STRICT, WITHOUT ROWID;

-- The selection a sample run used, with why each record is in (reasons: JSON list of
-- {reason: hash|finding|cleanse|picklist|parent|manual, detail}), so a past run's results can
-- say why a record was in it even after the data or the rules changed.
CREATE TABLE ferry_sample_picks (
    run_id     INTEGER NOT NULL,
    entity     TEXT NOT NULL,
    legacy_key TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    reasons    TEXT NOT NULL,
    PRIMARY KEY (run_id, entity, legacy_key)
) STRICT, WITHOUT ROWID;

-- A delta cutover: a fresh export compared with what was loaded. One row per record that is
-- new, changed or deleted (unchanged records are not listed); columns is the JSON list of
-- changed columns, modified the record's modified-date value when the export has one, and
-- after_freeze 1 when that date is after the Plan's data freeze.
CREATE TABLE ferry_delta_sets (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    sources    TEXT NOT NULL,          -- JSON: the files compared, with their SHA-256
    freeze     TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '{}',
    run_id     INTEGER NOT NULL DEFAULT 0   -- the delta load run that sent it (0: not loaded)
) STRICT;

CREATE TABLE ferry_delta_records (
    set_id       INTEGER NOT NULL REFERENCES ferry_delta_sets(id),
    entity       TEXT NOT NULL,
    legacy_key   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('new', 'changed', 'deleted')),
    columns      TEXT NOT NULL DEFAULT '[]',
    modified     TEXT NOT NULL DEFAULT '',
    after_freeze INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (set_id, entity, legacy_key)
) STRICT, WITHOUT ROWID;

-- The parallel run: its settings, the checklist (groups, items, evidence kept inside the project
-- file) and the daily comparisons of the old and new systems' same-day reports.

-- Settings of the parallel run: start (YYYY-MM-DD), time_box_days, template, template_loaded_at.
CREATE TABLE ferry_parallel (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Groups of checklist items, in the order shown. area ties a group to the part of the run it
-- covers (workflow, reports, integrations, shadow, freeze, training, cutover, rollback, signoff,
-- comparison, other); template_key is the template group it came from ('' for the user's own).
CREATE TABLE ferry_checklist_groups (
    id           INTEGER PRIMARY KEY,
    ord          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    area         TEXT NOT NULL DEFAULT 'other',
    intro        TEXT NOT NULL DEFAULT '',
    template_key TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
) STRICT;

-- One checklist item. due is YYYY-MM-DD or YYYY-MM-DD HH:MM (cutover steps are timed to the hour).
-- checked_by/checked_at: who last marked it done or not applicable, and when. signed_by/signed_at:
-- the person who signed a sign-off item.
CREATE TABLE ferry_checklist_items (
    id           INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL REFERENCES ferry_checklist_groups(id),
    ord          INTEGER NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'task' CHECK (kind IN ('task', 'signoff')),
    template_key TEXT NOT NULL DEFAULT '',
    origin       TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('template', 'user', 'comparison')),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL DEFAULT '',
    due          TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'in progress', 'done', 'blocked', 'not applicable')),
    required     INTEGER NOT NULL DEFAULT 0,
    notes        TEXT NOT NULL DEFAULT '',
    checked_by   TEXT NOT NULL DEFAULT '',
    checked_at   TEXT NOT NULL DEFAULT '',
    signed_by    TEXT NOT NULL DEFAULT '',
    signed_at    TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX ferry_checklist_items_group ON ferry_checklist_items(group_id, ord);

-- Evidence that an item was checked: files and screenshots, kept in the project file itself.
CREATE TABLE ferry_checklist_evidence (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES ferry_checklist_items(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    size     INTEGER NOT NULL,
    sha256   TEXT NOT NULL,
    data     BLOB NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
) STRICT;
CREATE INDEX ferry_checklist_evidence_item ON ferry_checklist_evidence(item_id);

-- One comparison of the same report from the old and the new system. day is the day the reports
-- cover (YYYY-MM-DD); entity names what was compared (appointments, takings ...).
CREATE TABLE ferry_comparisons (
    id             INTEGER PRIMARY KEY,
    day            TEXT NOT NULL,
    entity         TEXT NOT NULL,
    key_column     TEXT NOT NULL,
    old_file       TEXT NOT NULL,
    old_sha256     TEXT NOT NULL,
    new_file       TEXT NOT NULL,
    new_sha256     TEXT NOT NULL,
    old_rows       INTEGER NOT NULL,
    new_rows       INTEGER NOT NULL,
    matched        INTEGER NOT NULL,
    missing_in_old INTEGER NOT NULL,
    missing_in_new INTEGER NOT NULL,
    changed        INTEGER NOT NULL, -- records that differ in at least one field
    notes          TEXT NOT NULL DEFAULT '{}', -- JSON: columns on one side only, duplicate keys
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
) STRICT;
CREATE INDEX ferry_comparisons_day ON ferry_comparisons(day, entity);

-- Totals of each numeric column on both sides; sums are exact decimals as text.
CREATE TABLE ferry_comparison_sums (
    comparison_id INTEGER NOT NULL REFERENCES ferry_comparisons(id) ON DELETE CASCADE,
    ord           INTEGER NOT NULL,
    column_name   TEXT NOT NULL,
    old_sum       TEXT NOT NULL,
    new_sum       TEXT NOT NULL,
    difference    TEXT NOT NULL,
    PRIMARY KEY (comparison_id, ord)
) STRICT;

-- Each record that differs: missing on one side, or one field changed (one row per field).
CREATE TABLE ferry_comparison_diffs (
    id            INTEGER PRIMARY KEY,
    comparison_id INTEGER NOT NULL REFERENCES ferry_comparisons(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('missing_in_old', 'missing_in_new', 'changed')),
    record_key    TEXT NOT NULL,
    column_name   TEXT NOT NULL DEFAULT '',
    old_value     TEXT NOT NULL DEFAULT '',
    new_value     TEXT NOT NULL DEFAULT '',
    old_line      INTEGER NOT NULL DEFAULT 0,
    new_line      INTEGER NOT NULL DEFAULT 0,
    item_id       INTEGER REFERENCES ferry_checklist_items(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX ferry_comparison_diffs_run ON ferry_comparison_diffs(comparison_id, id);

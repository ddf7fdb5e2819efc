-- The Cleanse step: every operation applied to the staged tables, each cell it changed (old and
-- new value) and where merged records went; the rows it took out of a table live in one more
-- table per staged table (see below). Undo reads these back, a record trace shows them, and the
-- applied operations' steps are the recipe that replays on the cutover export.
--
-- Staged tables are identified by source_id (ferry_tables.source_id): it survives a rename, and
-- a re-import gives the table a new one, which tells Ferry that older operations no longer
-- describe its rows. table_name is the name at the time, for people.

-- One row per operation. Applied operations form a stack (by id); undone ones are the redo
-- stack until a new operation clears them. ids are never reused: "operation 7" stays one thing.
CREATE TABLE ferry_cleanse_ops (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    op          TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    step        TEXT NOT NULL,                -- the step as a recipe holds it (JSON)
    state       TEXT NOT NULL CHECK (state IN ('applied', 'undone')),
    rows        INTEGER NOT NULL DEFAULT 0,   -- rows whose cells it changed
    cells       INTEGER NOT NULL DEFAULT 0,   -- cells it changed
    removed     INTEGER NOT NULL DEFAULT 0,   -- rows it purged or merged away
    columns     TEXT NOT NULL DEFAULT '[]',   -- JSON: the columns whose cells it changed
    added       TEXT NOT NULL DEFAULT '[]',   -- JSON: the columns it created (dropped on undo)
    row_columns TEXT NOT NULL DEFAULT '[]',   -- JSON: the columns its removed rows were copied with
    rows_before INTEGER NOT NULL DEFAULT 0,   -- ferry_tables.rows before it ran
    left_alone  TEXT NOT NULL DEFAULT '[]',   -- JSON: values it did not change, and why
    recipe      TEXT NOT NULL DEFAULT '',     -- the recipe it was replayed from, if any
    applied_at  TEXT NOT NULL,
    applied_by  TEXT NOT NULL,
    undone_at   TEXT NOT NULL DEFAULT '',
    undone_by   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX ferry_cleanse_ops_source ON ferry_cleanse_ops(source_id, state);

-- Each changed cell, written in batches while the table is read. id packs the operation, the
-- column (its place in the operation's columns list) and the row, (op_id << 43) | (ordinal << 32)
-- | row_id, so that one operation's cells of one column are one contiguous range: applying and
-- undoing is one UPDATE … FROM per column over that range, appending is cheap, a record trace is a
-- lookup by id. old_value is NULL for a cell that held SQL NULL (or in a column the operation
-- created). An undone operation keeps its cells until it is redone or a new operation discards it.
CREATE TABLE ferry_cleanse_changes (
    id          INTEGER PRIMARY KEY,
    op_id       INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    row_id      INTEGER NOT NULL, -- _ferry_row
    old_value   TEXT,
    new_value   TEXT
) STRICT;

-- Rows taken out of a staged table (purged, or merged into a survivor) are not deleted from the
-- file: they move, with every value, to a table of the same columns made for that staged table
-- when it first loses a row, ferry_cleanse_removed_<source_id>, whose extra columns say why:
--   _ferry_row INTEGER PRIMARY KEY (the row's own), _ferry_op (the operation), _ferry_kind
--   ('purge' or 'merge'), _ferry_reason, _ferry_survivor (merge: the row it went into),
--   _ferry_key (its key value), then _ferry_line, _ferry_flags, _ferry_overflow and the user
--   columns as in the staged table.
-- Reconciliation counts them by kind and reason, a record trace shows them, and undo copies them
-- back with one INSERT … SELECT.

-- Where merged records went: the load step points child records (appointments, invoices) that
-- name a merged key at the survivor's key instead.
CREATE TABLE ferry_cleanse_crosswalk (
    source_id    INTEGER NOT NULL,
    merged_row   INTEGER NOT NULL,
    table_name   TEXT NOT NULL,
    merged_key   TEXT NOT NULL,
    survivor_row INTEGER NOT NULL,
    survivor_key TEXT NOT NULL,
    op_id        INTEGER NOT NULL,
    PRIMARY KEY (source_id, merged_row)
) STRICT;
CREATE INDEX ferry_cleanse_crosswalk_key ON ferry_cleanse_crosswalk(source_id, merged_key);
CREATE INDEX ferry_cleanse_crosswalk_op ON ferry_cleanse_crosswalk(op_id);

-- Groups of rows a person reviewed and found to be different records ("not duplicates"), so that
-- the review does not come back: members is a JSON list of {"row": _ferry_row, "key": key value}.
CREATE TABLE ferry_cleanse_distinct (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    members    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    decided_by TEXT NOT NULL
) STRICT;
CREATE INDEX ferry_cleanse_distinct_source ON ferry_cleanse_distinct(source_id);

-- Sources: what was imported from which file, the staged tables it became, their columns, what the
-- importer had to report, and the relationships between tables. The staged data tables themselves
-- are created by the Stager, one real table per source table, named as the user sees it.

-- One row per imported table source (a CSV file, or one sheet of a workbook). Kept after a table
-- is replaced by a re-import, as the history of what was read.
CREATE TABLE ferry_sources (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    format        TEXT NOT NULL,
    encoding      TEXT NOT NULL DEFAULT '',
    delimiter     TEXT NOT NULL DEFAULT '',
    sheet         TEXT NOT NULL DEFAULT '',
    header_row    INTEGER NOT NULL DEFAULT 1,
    skipped_lines INTEGER NOT NULL DEFAULT 0,
    options       TEXT NOT NULL DEFAULT '{}', -- JSON object of importer options and notes
    imported_at   TEXT NOT NULL,
    imported_by   TEXT NOT NULL
) STRICT;

-- One row per staged data table. name is the SQLite table name (case-insensitive, as SQLite's own).
CREATE TABLE ferry_tables (
    name         TEXT PRIMARY KEY COLLATE NOCASE,
    source_id    INTEGER NOT NULL REFERENCES ferry_sources(id),
    source_name  TEXT NOT NULL DEFAULT '', -- the name the importer asked for (file or sheet name)
    rows         INTEGER NOT NULL DEFAULT 0,
    flagged_rows INTEGER NOT NULL DEFAULT 0,
    issues       INTEGER NOT NULL DEFAULT 0,
    key_column   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
) STRICT;

-- The user's columns of each staged table, in order; source_name is the header as in the file.
CREATE TABLE ferry_columns (
    table_name  TEXT NOT NULL COLLATE NOCASE REFERENCES ferry_tables(name) ON UPDATE CASCADE ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    name        TEXT NOT NULL COLLATE NOCASE,
    source_name TEXT NOT NULL,
    PRIMARY KEY (table_name, ord),
    UNIQUE (table_name, name)
) STRICT;

-- What the importer found odd: ragged rows, bad bytes, stray quotes, skipped lines. line 0 = the file.
CREATE TABLE ferry_import_issues (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES ferry_sources(id),
    table_name  TEXT NOT NULL COLLATE NOCASE REFERENCES ferry_tables(name) ON UPDATE CASCADE ON DELETE CASCADE,
    file        TEXT NOT NULL,
    sheet       TEXT NOT NULL DEFAULT '',
    line        INTEGER NOT NULL,
    col         INTEGER NOT NULL DEFAULT 0,
    column_name TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL
) STRICT;
CREATE INDEX ferry_import_issues_table ON ferry_import_issues(table_name, line);

-- child_table.child_column refers to parent_table.parent_column. origin says who proposed it;
-- confirmed says whether a person accepted it. The match figures are from the last suggestion run.
CREATE TABLE ferry_relationships (
    id            INTEGER PRIMARY KEY,
    child_table   TEXT NOT NULL COLLATE NOCASE REFERENCES ferry_tables(name) ON UPDATE CASCADE ON DELETE CASCADE,
    child_column  TEXT NOT NULL COLLATE NOCASE,
    parent_table  TEXT NOT NULL COLLATE NOCASE REFERENCES ferry_tables(name) ON UPDATE CASCADE ON DELETE CASCADE,
    parent_column TEXT NOT NULL COLLATE NOCASE,
    origin        TEXT NOT NULL CHECK (origin IN ('user', 'suggested')),
    confirmed     INTEGER NOT NULL DEFAULT 0,
    child_rows    INTEGER NOT NULL DEFAULT 0, -- child rows with a non-empty value
    matched_rows  INTEGER NOT NULL DEFAULT 0, -- of those, rows whose value is found in the parent column
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    UNIQUE (child_table, child_column, parent_table, parent_column)
) STRICT;

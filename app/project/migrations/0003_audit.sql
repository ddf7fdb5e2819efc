-- The Audit step: each run of the audit, what it measured of every staged table and column, the
-- findings in words a person can act on, the exact rows behind each finding (for drill-down) and
-- the duplicate clusters the Cleanse step's merge review works from. Runs are kept; the newest
-- is the current one. Table and column names are as they were at the time of the run (no
-- foreign keys to ferry_tables: the history stays when a table is dropped or replaced).

CREATE TABLE ferry_audit_runs (
    id             INTEGER PRIMARY KEY,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    tables         INTEGER NOT NULL,
    rows           INTEGER NOT NULL,
    findings       INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    warnings       INTEGER NOT NULL,
    infos          INTEGER NOT NULL,
    region         TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    custody_seq    INTEGER NOT NULL, -- the audit.run event: data changed after it makes the run stale
    options        TEXT NOT NULL DEFAULT '{}',
    totals         TEXT NOT NULL DEFAULT '{}' -- JSON: rows per table, exact sums of money columns
) STRICT;

CREATE TABLE ferry_audit_tables (
    run_id     INTEGER NOT NULL REFERENCES ferry_audit_runs(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    rows       INTEGER NOT NULL,
    key_column TEXT NOT NULL DEFAULT '',
    key_origin TEXT NOT NULL DEFAULT '',
    people     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, ord)
) STRICT;

-- One column's profile; profile holds all of it as JSON, the other columns are for queries.
CREATE TABLE ferry_audit_columns (
    run_id         INTEGER NOT NULL REFERENCES ferry_audit_runs(id) ON DELETE CASCADE,
    table_name     TEXT NOT NULL,
    ord            INTEGER NOT NULL,
    column_name    TEXT NOT NULL,
    type           TEXT NOT NULL,
    confidence     REAL NOT NULL,
    nulls          INTEGER NOT NULL,
    distinct_count INTEGER NOT NULL,
    date_order     TEXT NOT NULL DEFAULT '',
    sum            TEXT NOT NULL DEFAULT '',
    profile        TEXT NOT NULL,
    PRIMARY KEY (run_id, table_name, ord)
) STRICT;

-- column_name is '' for findings about whole rows (exact duplicates, test records, fuzzy
-- duplicates). detail is JSON: examples, values, mapping, order, parent, missing, method.
CREATE TABLE ferry_audit_findings (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES ferry_audit_runs(id) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL DEFAULT '',
    count       INTEGER NOT NULL,
    row_count   INTEGER NOT NULL,
    message     TEXT NOT NULL,
    suggestion  TEXT NOT NULL DEFAULT '', -- JSON {"op": ..., params}, '' when a person must decide
    detail      TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX ferry_audit_findings_run ON ferry_audit_findings(run_id, ord);

-- The rows behind a finding (_ferry_row values, ascending), 1024 to a chunk: rows holds n
-- unsigned varints, each the difference from the previous row (the first from first_row). A
-- rowid table: its pages hold a chunk of up to 4 KB in place, where a WITHOUT ROWID table would
-- spill every chunk over 1 KB into an overflow page of its own.
CREATE TABLE ferry_audit_finding_rows (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES ferry_audit_findings(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    first_row  INTEGER NOT NULL,
    last_row   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    rows       BLOB NOT NULL,
    UNIQUE (finding_id, seq)
) STRICT;

-- Groups of rows that are one record: identical rows, rows sharing a key, people entered twice.
CREATE TABLE ferry_audit_clusters (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES ferry_audit_findings(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    method     TEXT NOT NULL,
    score      REAL NOT NULL,
    size       INTEGER NOT NULL
) STRICT;
CREATE INDEX ferry_audit_clusters_finding ON ferry_audit_clusters(finding_id, ord);

-- ord 0 is the member a merge keeps: the first in the file.
CREATE TABLE ferry_audit_cluster_members (
    cluster_id INTEGER NOT NULL REFERENCES ferry_audit_clusters(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    row        INTEGER NOT NULL,
    key_value  TEXT NOT NULL DEFAULT '',
    score      REAL NOT NULL DEFAULT 1,
    PRIMARY KEY (cluster_id, ord)
) STRICT, WITHOUT ROWID;

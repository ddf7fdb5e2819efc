-- The core of every project file: facts about the file, the custody log, the plan.
CREATE TABLE ferry_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE ferry_custody (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    machine   TEXT NOT NULL,
    action    TEXT NOT NULL,
    params    TEXT NOT NULL,
    inputs    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE TABLE ferry_plan (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

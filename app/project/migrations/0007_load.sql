-- The Full load step (and the Sample run, delta cutover and rollback that use the same engine):
-- where data goes (destinations, without secrets), each run's records with their outcome, and
-- the crosswalk from every legacy record to the id the new system gave it.
--
-- A run is a row of ferry_runs (kind 'sample', 'load', 'delta', 'rollback'; see app/target)
-- plus one row of ferry_load_runs with what only a load has. While a run is going ferry_runs
-- has finished_at = '' and status 'running'; a run that stopped without finishing (Cancel, a
-- crash, kill -9) keeps 'running' or 'paused' until it is resumed: its records say exactly what
-- is done.

-- A destination: import files (kind 'files'), a REST API ('rest'), a FHIR R4 server ('fhir').
-- config is JSON (format ferry-destination/1, see app/load) and never holds a secret: tokens,
-- API keys and passwords live in the OS keyring (app/secrets) or are asked for at run time.
-- role 'live' is the new system; 'sandbox' is where sample runs may go instead.
CREATE TABLE ferry_destinations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('files', 'rest', 'fhir')),
    role       TEXT NOT NULL DEFAULT 'live' CHECK (role IN ('live', 'sandbox')),
    config     TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,   -- bumped by every change; a run records the one it used
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- What a load run has beyond ferry_runs: its destination (and the configuration version it
-- used, as JSON, so a later edit does not rewrite history), mode and state.
--   mode:  full, sample, delta, rollback, retry (retry: only the failed records of run parent)
--   state: running, paused, cancelled, done, failed
-- parent: the run a retry, cleanup or rollback acts on (0 for none).
CREATE TABLE ferry_load_runs (
    run_id         INTEGER PRIMARY KEY REFERENCES ferry_runs(id),
    destination_id INTEGER NOT NULL REFERENCES ferry_destinations(id),
    dest_version   INTEGER NOT NULL,
    dest_config    TEXT NOT NULL,
    mode           TEXT NOT NULL,
    state          TEXT NOT NULL,
    parent         INTEGER NOT NULL DEFAULT 0,
    override       TEXT NOT NULL DEFAULT '',   -- why a load ran without a passing sample run
    message        TEXT NOT NULL DEFAULT '',   -- why it paused or failed, in words
    updated_at     TEXT NOT NULL
) STRICT;

-- Every legacy record of a run, one row each, written before anything is sent (status
-- 'pending') so that the run's plan is complete and a crash can resume from it. A record is in
-- exactly one state at a time:
--   pending   not sent yet
--   sending   sent, outcome not known yet (a crash or timeout here: look it up before any retry)
--   created   the new system made it; new_id is its id
--   existing  it was already there (found by its legacy key or in the crosswalk); not sent again
--   updated   an existing record was updated (delta)
--   deleted   removed again (sample cleanup, rollback)
--   rejected  the new system refused it (4xx); error is its message. Not retried by itself.
--   failed    gave up after retries (5xx, timeouts, network); retried by "retry failed"
--   invalid   the record had mapping errors and was not sent; error says which
--   skipped   not part of this run's work (delta: unchanged)
-- Files destinations write 'created' with new_id = "FILE:ROW" (the file and row it went to).
CREATE TABLE ferry_load_records (
    run_id      INTEGER NOT NULL,
    entity      TEXT NOT NULL,
    legacy_key  TEXT NOT NULL,
    source_row  INTEGER NOT NULL,      -- _ferry_row in the staged table
    seq         INTEGER NOT NULL,      -- position in the run (dependency order, then row order)
    status      TEXT NOT NULL,
    new_id      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    sent_hash   TEXT NOT NULL DEFAULT '', -- mapping.Record.Hash of what was sent
    updated_at  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, entity, legacy_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX ferry_load_records_seq ON ferry_load_records(run_id, seq);
CREATE INDEX ferry_load_records_status ON ferry_load_records(run_id, status);

-- The crosswalk: legacy record → the new system's id, per destination. A record in it is never
-- created again at that destination; references are translated through it. run_id is the run
-- that created it (or found it), sent_hash the hash of what was sent (reconciliation compares
-- the record read back with it). Rollback and sample cleanup delete rows from here as they
-- delete the records.
CREATE TABLE ferry_crosswalk (
    destination_id INTEGER NOT NULL,
    entity         TEXT NOT NULL,
    legacy_key     TEXT NOT NULL,
    new_id         TEXT NOT NULL,
    run_id         INTEGER NOT NULL,
    sent_hash      TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    PRIMARY KEY (destination_id, entity, legacy_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX ferry_crosswalk_new ON ferry_crosswalk(destination_id, entity, new_id);
CREATE INDEX ferry_crosswalk_run ON ferry_crosswalk(run_id);

-- The Reconcile & report step: each reconciliation of the loaded data against the new system,
-- and every difference it found, so that the report, the record trace and the wizard status
-- read what was proven and when, without running it again.

-- One reconciliation: which destination and load runs it checked, where the records were read
-- back from (source: 'export' files the person imported, 'api' the destination itself, 'log'
-- the load's own records only), the verdict in words and the number of records with a
-- difference. result is the whole reconcile.Result without its differences, as JSON.
CREATE TABLE ferry_reconciliations (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    destination_id INTEGER NOT NULL DEFAULT 0,
    runs           TEXT NOT NULL DEFAULT '[]',
    source         TEXT NOT NULL CHECK (source IN ('export', 'api', 'log')),
    verdict        TEXT NOT NULL,
    records        INTEGER NOT NULL DEFAULT 0,   -- legacy records checked
    differences    INTEGER NOT NULL DEFAULT 0,   -- records with a difference
    custody_seq    INTEGER NOT NULL DEFAULT 0,
    result         TEXT NOT NULL
) STRICT;

-- Every difference of a reconciliation, one row per record and field:
--   missing     loaded, but the new system does not have it (any more)
--   changed     the new system has it with a different value in field (sent vs found)
--   duplicate   a second record in the new system carries the same legacy key
--   extra       a record in the new system that did not come from Ferry
--   not_loaded  never made it: rejected, failed, invalid or not sent yet (field: the status)
CREATE TABLE ferry_reconcile_diffs (
    recon_id   INTEGER NOT NULL REFERENCES ferry_reconciliations(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    entity     TEXT NOT NULL,
    legacy_key TEXT NOT NULL,
    source_row INTEGER NOT NULL DEFAULT 0,
    new_id     TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL CHECK (kind IN ('missing', 'changed', 'duplicate', 'extra', 'not_loaded')),
    field      TEXT NOT NULL DEFAULT '',
    sent       TEXT NOT NULL DEFAULT '',
    found      TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (recon_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX ferry_reconcile_diffs_key ON ferry_reconcile_diffs(entity, legacy_key);

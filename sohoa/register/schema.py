"""The register database's tables (``HOME/register.sqlite``), and their version."""


SCHEMA_VERSION = 2  # 2: agencies by who they are (agency_key, agency_name, agency_label), the row, the history
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    dossier TEXT UNIQUE,
    agency TEXT NOT NULL,
    agency_key TEXT NOT NULL,             -- who it is: sohoa.core.agencies.Agency.key
    agency_name TEXT,                     -- Agency.short
    agency_label TEXT,                    -- Agency.label: how a person reads it
    level TEXT NOT NULL,
    procedure_code TEXT,
    procedure_name TEXT,
    number TEXT,
    number_key TEXT,
    issued TEXT NOT NULL,
    issued_exact INTEGER NOT NULL DEFAULT 1, -- 0: the register gave the day it was returned
    holder TEXT,
    holder_key TEXT,
    valid_until TEXT,
    status TEXT NOT NULL,
    received TEXT,
    electronic_result INTEGER,
    dossier_digitised INTEGER,
    reused INTEGER,
    digest TEXT NOT NULL,
    row INTEGER,                          -- its row in the file it last came from
    added_in INTEGER NOT NULL,
    changed_in INTEGER
);
CREATE INDEX IF NOT EXISTS entries_identity ON entries(agency_key, number_key, issued);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    rows INTEGER NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    skipped TEXT,                          -- JSON: rows that are not results, by kind (totals, footer, group...)
    undone TEXT                            -- when `sohoa register undo` took it back, and by whom
);
CREATE TABLE IF NOT EXISTS entry_history (  -- an entry as it was before an import changed it (register undo)
    import_id INTEGER NOT NULL,
    entry_id INTEGER NOT NULL,
    previous TEXT NOT NULL,               -- JSON of the entry's columns (_COLUMNS, then changed_in)
    PRIMARY KEY (import_id, entry_id)
);
CREATE TABLE IF NOT EXISTS rejects (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    row INTEGER NOT NULL,
    col TEXT,
    message_vi TEXT NOT NULL,
    message_en TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rejects_import ON rejects(import_id, row);
CREATE TABLE IF NOT EXISTS decisions (     -- an auditor's word on a pair; survives re-import and re-ingest
    entry_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    decision TEXT NOT NULL,                -- confirm | reject
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (entry_id, sha256)
);
CREATE TABLE IF NOT EXISTS matches (       -- the last reconciliation (sohoa.register.match)
    entry_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL,                   -- auto | confirmed | waiting
    reason TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (entry_id, sha256)
);
CREATE INDEX IF NOT EXISTS matches_sha ON matches(sha256);
CREATE TABLE IF NOT EXISTS coverage (      -- per matched entry: the first day each stage was reached
    entry_id INTEGER PRIMARY KEY,
    records INTEGER NOT NULL,
    scanned_on TEXT,
    extracted_on TEXT,
    verified_on TEXT,
    signed_on TEXT,
    valid_until TEXT                       -- the record's, for entries whose register row has none
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tally (         -- per entry of status valid, what progress counts: days as integers
    entry_id INTEGER PRIMARY KEY,          -- (CAST(julianday(day) AS INTEGER)), groups as small ids
    issued INTEGER NOT NULL,
    until INTEGER NOT NULL,                -- the end of validity (the register's, else the record's); 99999999: none
    level TEXT NOT NULL,
    agency INTEGER NOT NULL,               -- tally_groups.id
    procedure INTEGER NOT NULL,            -- tally_groups.id
    year TEXT NOT NULL,
    scanned INTEGER,
    extracted INTEGER,
    verified INTEGER,
    signed INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tally_groups (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                    -- agency | procedure
    key TEXT NOT NULL,                     -- entries.agency_key; coalesce(procedure_code, procedure_name, '')
    label TEXT NOT NULL,
    UNIQUE (kind, key)
);
"""

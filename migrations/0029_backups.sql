-- One row per backup run (scheduled, asked for on /admin/sauvegardes, or
-- `ligue backup --dir`), kept so administrators see whether backups work.
CREATE TABLE backups (
    id           INTEGER PRIMARY KEY,
    started_at   DATETIME NOT NULL,
    finished_at  DATETIME NOT NULL,
    dir          TEXT NOT NULL,              -- the backup's folder ('' when it failed before making one)
    size_bytes   INTEGER NOT NULL DEFAULT 0, -- database and attached files it needs
    files_total  INTEGER NOT NULL DEFAULT 0, -- attached files it lists
    files_copied INTEGER NOT NULL DEFAULT 0, -- of which new to the shared store
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    ok           INTEGER NOT NULL CHECK (ok IN (0, 1)), -- 1: made and verified
    error        TEXT NOT NULL DEFAULT ''    -- why it failed, in French
);
CREATE INDEX backups_started ON backups (started_at DESC);

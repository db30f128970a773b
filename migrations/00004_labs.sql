-- +goose Up
-- The installation's id, created on first use. It is part of every kind cluster name and label
-- kcnaprep creates, so two installations sharing a Docker engine or a cluster never clean up
-- each other's labs.
CREATE TABLE lab_install (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    instance TEXT    NOT NULL
);

-- A learner's run of a lab. At most one active (not ended, not failed) session per learner and
-- lab. cluster and namespace are recorded before anything is created, so a crash at any point
-- leaves a row that start-up reconciliation can act on.
CREATE TABLE lab_sessions (
    id             TEXT    PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lab_id         TEXT    NOT NULL,
    backend        TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('provisioning', 'ready', 'resetting', 'stopping', 'ended', 'failed')),
    error          TEXT    NOT NULL DEFAULT '',
    cluster        TEXT    NOT NULL DEFAULT '',
    namespace      TEXT    NOT NULL DEFAULT '',
    kubeconfig     TEXT    NOT NULL DEFAULT '',   -- path of the learner's kubeconfig file
    job            TEXT    NOT NULL,              -- latest background job: start, reset, stop
    job_seq        INTEGER NOT NULL DEFAULT 1,    -- increments with every job; steps carry it
    hints          TEXT    NOT NULL DEFAULT '{}', -- JSON: hints revealed by task id
    last_report    TEXT,                          -- JSON domain.LabReport of the latest check
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,              -- jobs touch it as a heartbeat
    last_active_at INTEGER NOT NULL,              -- the learner's last action (idle expiry)
    ready_at       INTEGER,
    ended_at       INTEGER
);
CREATE UNIQUE INDEX lab_sessions_one_active ON lab_sessions (user_id, lab_id) WHERE state NOT IN ('ended', 'failed');
CREATE INDEX lab_sessions_by_user ON lab_sessions (user_id, lab_id, created_at);
CREATE INDEX lab_sessions_active ON lab_sessions (state) WHERE state NOT IN ('ended', 'failed');

-- Steps of a session's background jobs, shown live while they run.
CREATE TABLE lab_steps (
    session_id TEXT    NOT NULL REFERENCES lab_sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    job_seq    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    error      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE lab_steps;
DROP TABLE lab_sessions;
DROP TABLE lab_install;

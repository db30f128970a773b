-- +goose Up
-- Lab environments prepared before anyone asks (the warm pool, issue 11). A row is written
-- before its environment is created, so a crash at any point leaves a row that reconciliation
-- can act on; an environment of ours with no row is a leftover and is deleted. A learner's
-- Start claims a ready row by deleting it in the transaction that creates their session, so
-- two Starts can never take the same environment.
CREATE TABLE lab_pool (
    id         TEXT    PRIMARY KEY,
    backend    TEXT    NOT NULL,
    cluster    TEXT    NOT NULL,
    namespace  TEXT    NOT NULL DEFAULT '',
    state      TEXT    NOT NULL CHECK (state IN ('provisioning', 'ready')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,              -- the preparing job touches it as a heartbeat
    ready_at   INTEGER,
    UNIQUE (backend, cluster, namespace)
);
CREATE INDEX lab_pool_ready ON lab_pool (backend, state, ready_at);

-- +goose Down
DROP TABLE lab_pool;

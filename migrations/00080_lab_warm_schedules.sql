-- +goose Up
-- Pre-warming the lab pool for a class (issue 11): "N environments ready at 9:00". The server
-- starts preparing early enough (it knows how long one environment takes) and records how it
-- went. One schedule per class and time: a double submit of the form (or the CLI run twice)
-- updates the one row instead of adding a second (the unique key, used by an upsert).
-- class_id is '' for a schedule made from the command line (classes are archived, never
-- deleted, so no foreign key is needed to keep rows meaningful).
CREATE TABLE lab_warm_schedules (
    id         INTEGER PRIMARY KEY,
    class_id   TEXT    NOT NULL DEFAULT '',
    count      INTEGER NOT NULL CHECK (count BETWEEN 1 AND 200),
    ready_at   INTEGER NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'scheduled'
               CHECK (state IN ('scheduled', 'warming', 'done', 'missed', 'failed', 'cancelled')),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER,
    done_at    INTEGER,
    error      TEXT    NOT NULL DEFAULT '',
    UNIQUE (class_id, ready_at)
);
CREATE INDEX lab_warm_schedules_pending ON lab_warm_schedules (state, ready_at);

-- +goose Down
DROP TABLE lab_warm_schedules;

-- +goose Up
-- A learner's report of a problem with a question, for instructors to review.
CREATE TABLE question_reports (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('wrong-key', 'unclear', 'outdated', 'typo', 'other')),
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX question_reports_open ON question_reports (resolved_at, created_at);
-- One open report of a kind per learner and question: a double submit stores one.
CREATE UNIQUE INDEX question_reports_once ON question_reports (user_id, question_id, kind) WHERE resolved_at IS NULL;

-- The local profile hosts the server: it is its administrator as well as its learner.
UPDATE users SET role = 'admin' WHERE username = 'local';

-- +goose Down
UPDATE users SET role = 'learner' WHERE username = 'local';
DROP TABLE question_reports;

-- +goose Up
-- Users. Single-learner mode uses one row, username 'local', and no password. Accounts add
-- passwords and roles to the same table, so every progress row is keyed by user from day one.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'instructor', 'admin')),
    password_hash TEXT,               -- NULL: cannot log in with a password (the local profile)
    created_at    INTEGER NOT NULL    -- unix milliseconds, like every timestamp here
);

-- A lesson the learner marked complete. lesson_id is the content id ("<domain>/<NN>-<slug>"):
-- content ids are stable, so rows survive content edits; rows for removed lessons are ignored.
CREATE TABLE lesson_progress (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lesson_id    TEXT    NOT NULL,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, lesson_id)
) WITHOUT ROWID;

-- Full-text index of lessons, rebuilt from the catalog at every start (content is the truth).
CREATE VIRTUAL TABLE lesson_search USING fts5 (
    lesson_id UNINDEXED,
    title,
    body,
    tokenize = 'porter unicode61'
);

-- +goose Down
DROP TABLE lesson_search;
DROP TABLE lesson_progress;
DROP TABLE users;

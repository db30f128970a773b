-- +goose Up
-- Login sessions (alexedwards/scs), used when accounts exist. expiry is unix milliseconds.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB    NOT NULL,
    expiry INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;

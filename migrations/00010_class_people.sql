-- +goose Up
-- One-time set-password links. A roster import creates accounts without a password; each gets
-- a link (a random token: only its SHA-256 is stored) that sets the password once. Single use
-- and expiry are enforced by the UPDATE that spends a token (used_at IS NULL AND expires_at > now),
-- not by a check before it. A reset deletes the user's unspent tokens, so older links stop working.
CREATE TABLE password_tokens (
    token_hash BLOB    PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
    used_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX password_tokens_user ON password_tokens (user_id);

-- +goose Down
DROP TABLE password_tokens;

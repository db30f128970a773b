-- +goose Up
-- Accounts can be disabled, and every session of an account can be ended at once: a session
-- records its user's session_gen when it signs in, and is worthless once the number moves on
-- (a password change, disabling the account).
ALTER TABLE users ADD COLUMN disabled_at INTEGER; -- NULL: may sign in
ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 0;

-- The username form (see domain.ValidateUsername): 1 to 63 of a-z 0-9 . _ -, starting with a
-- letter or digit. The app also requires lower case; here case is left to the NOCASE column.
-- Older rows are left as they are; new ones must fit.
-- +goose StatementBegin
CREATE TRIGGER users_username_form BEFORE INSERT ON users
WHEN NEW.username = '' OR length(NEW.username) > 63 OR lower(NEW.username) GLOB '*[^a-z0-9._-]*'
    OR substr(NEW.username, 1, 1) IN ('.', '_', '-')
BEGIN
    SELECT RAISE(ABORT, 'username form');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_username_form;
ALTER TABLE users DROP COLUMN session_gen;
ALTER TABLE users DROP COLUMN disabled_at;

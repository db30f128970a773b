-- +goose Up
-- users.id is an INTEGER PRIMARY KEY without AUTOINCREMENT: when the newest account is deleted,
-- the next one created gets its id back. A session records (user id, session_gen), and every
-- account started at session_gen 0, so a deleted user's session signed in as the new account.
-- Each account now starts at a random generation (1 to 2^53-1), so a session of an earlier
-- holder of the id does not match. Existing accounts keep theirs (their ids are their own; only
-- an account created from now on can take a freed id), so nobody is signed out by the upgrade.
-- +goose StatementBegin
CREATE TRIGGER users_session_gen_random AFTER INSERT ON users
BEGIN
  UPDATE users SET session_gen = abs(random() % 9007199254740991) + 1 WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_session_gen_random;

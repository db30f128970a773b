package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

type userRow struct {
	ID          int64         `db:"id"`
	Username    string        `db:"username"`
	DisplayName string        `db:"display_name"`
	Role        string        `db:"role"`
	CreatedAt   int64         `db:"created_at"`
	DisabledAt  sql.NullInt64 `db:"disabled_at"`
}

const userColumns = `id, username, display_name, role, created_at, disabled_at`

func (r userRow) user() *domain.User {
	return &domain.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName,
		Role: domain.Role(r.Role), CreatedAt: fromMillis(r.CreatedAt), Disabled: r.DisabledAt.Valid}
}

// EnsureLocalUser returns the single-learner profile, creating it on first use.
func (db *DB) EnsureLocalUser(ctx context.Context) (*domain.User, error) {
	var u *domain.User
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, role, created_at)
			VALUES (?, 'Learner', 'admin', ?) ON CONFLICT (username) DO NOTHING`,
			domain.LocalUsername, millis(db.now()))
		if err != nil {
			return fmt.Errorf("create local user: %w", err)
		}
		u, err = findUserByUsername(ctx, tx, domain.LocalUsername)
		return err
	})
	return u, err
}

// UserByID returns a user, or an ENOTFOUND error.
func (db *DB) UserByID(ctx context.Context, id int64) (*domain.User, error) {
	var r userRow
	err := db.get(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No such user.")
	}
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, err)
	}
	return r.user(), nil
}

// CreateUser adds a user without a password (tests; the local profile).
func (db *DB) CreateUser(ctx context.Context, username, displayName string, role domain.Role) (*domain.User, error) {
	return db.insertUser(ctx, username, displayName, role, sql.NullString{})
}

func findUserByUsername(ctx context.Context, tx *sqlx.Tx, username string) (*domain.User, error) {
	var r userRow
	err := tx.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE username = ?`, username)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No user %q.", username)
	}
	if err != nil {
		return nil, fmt.Errorf("find user %q: %w", username, err)
	}
	return r.user(), nil
}

// CredentialsByUsername returns a user with a password, or ENOTFOUND.
func (db *DB) CredentialsByUsername(ctx context.Context, username string) (domain.UserCredentials, error) {
	var r struct {
		userRow
		Hash sql.NullString `db:"password_hash"`
		Gen  int64          `db:"session_gen"`
	}
	err := db.get(ctx, &r, `SELECT `+userColumns+`, password_hash, session_gen FROM users
		WHERE username = ? AND password_hash IS NOT NULL`, username)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.UserCredentials{}, domain.Errorf(domain.ENOTFOUND, "No such account.")
	}
	if err != nil {
		return domain.UserCredentials{}, fmt.Errorf("find account %q: %w", username, err)
	}
	return domain.UserCredentials{User: r.user(), PasswordHash: r.Hash.String, SessionGen: r.Gen}, nil
}

// SessionUser returns the user a session belongs to if the session is still good: the user
// exists, is not disabled, and its session generation is still gen. Otherwise ENOTFOUND,
// and the caller ends the session.
func (db *DB) SessionUser(ctx context.Context, id, gen int64) (*domain.User, error) {
	var r userRow
	err := db.get(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = ? AND session_gen = ? AND disabled_at IS NULL`, id, gen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "The session has ended.")
	}
	if err != nil {
		return nil, fmt.Errorf("session user %d: %w", id, err)
	}
	return r.user(), nil
}

// CreateAccount adds a user who logs in with a password (hash: bcrypt).
func (db *DB) CreateAccount(ctx context.Context, username, displayName string, role domain.Role, passwordHash string) (*domain.User, error) {
	return db.insertUser(ctx, username, displayName, role, sql.NullString{String: passwordHash, Valid: true})
}

func (db *DB) insertUser(ctx context.Context, username, displayName string, role domain.Role, passwordHash sql.NullString) (*domain.User, error) {
	var u *domain.User
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			username, displayName, string(role), passwordHash, millis(db.now()))
		if err != nil {
			if isUniqueViolation(err) {
				return domain.Errorf(domain.ECONFLICT, "The username %q is taken.", username)
			}
			if isTriggerAbort(err) {
				return domain.ValidateUsername(username)
			}
			return fmt.Errorf("create user %q: %w", username, err)
		}
		u, err = findUserByUsername(ctx, tx, username)
		return err
	})
	return u, err
}

// SetPassword changes an account's password hash and ends all its sessions.
func (db *DB) SetPassword(ctx context.Context, username, passwordHash string) error {
	return db.updateUser(ctx, username, "set password of", `password_hash = ?, session_gen = session_gen + 1`, passwordHash)
}

// SetDisabled disables an account (it cannot sign in, and its sessions end) or enables it.
func (db *DB) SetDisabled(ctx context.Context, username string, disabled bool) error {
	if disabled {
		return db.updateUser(ctx, username, "disable", `disabled_at = coalesce(disabled_at, ?), session_gen = session_gen + 1`, millis(db.now()))
	}
	return db.updateUser(ctx, username, "enable", `disabled_at = NULL`)
}

// SetRole changes a user's role; it applies from the user's next request.
func (db *DB) SetRole(ctx context.Context, username string, role domain.Role) error {
	return db.updateUser(ctx, username, "set role of", `role = ?`, string(role))
}

// DeleteUser removes a user and, by cascade, all their progress, exams and labs.
func (db *DB) DeleteUser(ctx context.Context, username string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE username = ?`, username)
		if err != nil {
			return fmt.Errorf("delete user %q: %w", username, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No user %q.", username)
		}
		return nil
	})
}

// updateUser sets columns of one user's row; what names the change in errors.
func (db *DB) updateUser(ctx context.Context, username, what, set string, args ...any) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET `+set+` WHERE username = ?`, append(args, username)...)
		if err != nil {
			return fmt.Errorf("%s %q: %w", what, username, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No user %q.", username)
		}
		return nil
	})
}

// HasAccounts reports whether any user can log in with a password: then the server runs
// with accounts instead of in single-learner mode. Disabled accounts count: disabling the
// last account must not open the server to everyone.
func (db *DB) HasAccounts(ctx context.Context) (bool, error) {
	var n int
	if err := db.get(ctx, &n, `SELECT count(*) FROM users WHERE password_hash IS NOT NULL`); err != nil {
		return false, fmt.Errorf("count accounts: %w", err)
	}
	return n > 0, nil
}

// Users lists every user.
func (db *DB) Users(ctx context.Context) ([]*domain.User, error) {
	var rows []userRow
	if err := db.sel(ctx, &rows, `SELECT `+userColumns+` FROM users ORDER BY username`); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]*domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

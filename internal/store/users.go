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
	ID          int64  `db:"id"`
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
	Role        string `db:"role"`
	CreatedAt   int64  `db:"created_at"`
}

func (r userRow) user() *domain.User {
	return &domain.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName,
		Role: domain.Role(r.Role), CreatedAt: fromMillis(r.CreatedAt)}
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
	err := db.read.GetContext(ctx, &r, `SELECT id, username, display_name, role, created_at FROM users WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No such user.")
	}
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, err)
	}
	return r.user(), nil
}

// CreateUser adds a user (tests and, later, accounts).
func (db *DB) CreateUser(ctx context.Context, username, displayName string, role domain.Role) (*domain.User, error) {
	var u *domain.User
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, role, created_at) VALUES (?, ?, ?, ?)`,
			username, displayName, string(role), millis(db.now()))
		if err != nil {
			if isUniqueViolation(err) {
				return domain.Errorf(domain.ECONFLICT, "The username %q is taken.", username)
			}
			return fmt.Errorf("create user %q: %w", username, err)
		}
		u, err = findUserByUsername(ctx, tx, username)
		return err
	})
	return u, err
}

func findUserByUsername(ctx context.Context, tx *sqlx.Tx, username string) (*domain.User, error) {
	var r userRow
	err := tx.GetContext(ctx, &r, `SELECT id, username, display_name, role, created_at FROM users WHERE username = ?`, username)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No user %q.", username)
	}
	if err != nil {
		return nil, fmt.Errorf("find user %q: %w", username, err)
	}
	return r.user(), nil
}

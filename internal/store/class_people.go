package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// ImportRoster adds every row's account to a class as a student, in one transaction: an
// account that does not exist is created without a password (with a set-password token expiring
// at expires), an existing one is added (its name and e-mail are left alone; an instructor of the
// class stays one). It returns, per row, whether its account was created. Any error rolls back
// all of it.
func (db *DB) ImportRoster(ctx context.Context, classID string, rows []domain.RosterAccount, createdBy int64, expires time.Time) ([]bool, error) {
	created := make([]bool, len(rows))
	now := millis(db.now())
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var exists int
		if err := tx.GetContext(ctx, &exists, `SELECT count(*) FROM classes WHERE id = ?`, classID); err != nil {
			return fmt.Errorf("find class %s: %w", classID, err)
		}
		if exists == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No such class.")
		}
		insUser, err := tx.PrepareContext(ctx, `INSERT INTO users (username, display_name, role, email, created_at)
			VALUES (?, ?, 'learner', ?, ?) ON CONFLICT (username) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer insUser.Close()
		findUser, err := tx.PrepareContext(ctx, `SELECT id FROM users WHERE username = ?`)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer findUser.Close()
		member, err := tx.PrepareContext(ctx, `INSERT INTO class_members (class_id, user_id, role, section, joined_at)
			VALUES (?, ?, 'student', ?, ?)
			ON CONFLICT (class_id, user_id) DO UPDATE SET section = excluded.section WHERE class_members.role = 'student'`)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer member.Close()
		token, err := tx.PrepareContext(ctx, `INSERT INTO password_tokens (token_hash, user_id, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer token.Close()
		for i, ra := range rows {
			r := ra.Row
			name := r.Name
			if name == "" {
				name = r.Username
			}
			res, err := insUser.ExecContext(ctx, r.Username, name, r.Email, now)
			if isTriggerAbort(err) {
				return domain.Errorf(domain.EINVALID, "line %d: %s", r.Line, domain.ErrorMessage(domain.ValidateUsername(r.Username)))
			}
			if err != nil {
				return fmt.Errorf("line %d: create user %q: %w", r.Line, r.Username, err)
			}
			n, _ := res.RowsAffected()
			created[i] = n == 1
			var id int64
			if err := findUser.QueryRowContext(ctx, r.Username).Scan(&id); err != nil {
				return fmt.Errorf("line %d: find user %q: %w", r.Line, r.Username, err)
			}
			if _, err := member.ExecContext(ctx, classID, id, r.Section, now); err != nil {
				if isTriggerAbort(err) {
					return domain.Errorf(domain.EINVALID, "line %d: the class has no section %q.", r.Line, r.Section)
				}
				return fmt.Errorf("line %d: add %q to class %s: %w", r.Line, r.Username, classID, err)
			}
			if created[i] {
				if _, err := token.ExecContext(ctx, ra.TokenHash, id, nullID(createdBy), now, millis(expires)); err != nil {
					return fmt.Errorf("line %d: set-password token for %q: %w", r.Line, r.Username, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// ClassRoster returns the members of a class with whether each has set a password, instructors
// first, then by username.
func (db *DB) ClassRoster(ctx context.Context, classID string) ([]*domain.RosterEntry, error) {
	var rows []struct {
		memberRow
		PasswordSet bool `db:"password_set"`
	}
	err := db.sel(ctx, &rows, `SELECT u.id, u.username, u.display_name, u.role, u.created_at, u.disabled_at, u.email,
		u.password_hash IS NOT NULL AS password_set, m.class_id, m.role AS member_role, m.section, m.joined_at
		FROM class_members m JOIN users u ON u.id = m.user_id WHERE m.class_id = ?
		ORDER BY m.role = 'student', u.username`, classID)
	if err != nil {
		return nil, fmt.Errorf("roster of class %s: %w", classID, err)
	}
	out := make([]*domain.RosterEntry, len(rows))
	for i, r := range rows {
		out[i] = &domain.RosterEntry{PasswordSet: r.PasswordSet, ClassMember: domain.ClassMember{ClassID: r.ClassID,
			User: *r.user(), Email: r.Email, Role: domain.ClassRole(r.Role), Section: r.Section, JoinedAt: fromMillis(r.JoinedAt)}}
	}
	return out, nil
}

// studentOf returns the user when userID is a student of the class and an ordinary learner on
// the site: instructors act on such accounts only, never on a colleague's or an admin's (a
// reset would hand them that account).
func studentOf(ctx context.Context, tx *sqlx.Tx, classID string, userID int64) (*domain.User, error) {
	var r userRow
	err := tx.GetContext(ctx, &r, `SELECT u.id, u.username, u.display_name, u.role, u.created_at, u.disabled_at
		FROM class_members m JOIN users u ON u.id = m.user_id
		WHERE m.class_id = ? AND m.user_id = ? AND m.role = 'student' AND u.role = 'learner'`, classID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No such student in this class.")
	}
	if err != nil {
		return nil, fmt.Errorf("find student %d of class %s: %w", userID, classID, err)
	}
	return r.user(), nil
}

// ResetStudentPassword gives a student of the class a new set-password token, in one
// transaction: their password is cleared (the old one stops working), their unspent tokens are
// deleted (older links stop working) and every session of theirs ends.
func (db *DB) ResetStudentPassword(ctx context.Context, classID string, userID int64, tokenHash []byte, createdBy int64, expires time.Time) (*domain.User, error) {
	var u *domain.User
	now := millis(db.now())
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if u, err = studentOf(ctx, tx, classID, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_tokens WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
			return fmt.Errorf("void tokens of user %d: %w", userID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = NULL, session_gen = session_gen + 1 WHERE id = ?`, userID); err != nil {
			return fmt.Errorf("reset password of user %d: %w", userID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_tokens (token_hash, user_id, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, tokenHash, userID, nullID(createdBy), now, millis(expires)); err != nil {
			return fmt.Errorf("set-password token for user %d: %w", userID, err)
		}
		return nil
	})
	return u, err
}

// SetStudentDisabled disables a student of the class (they cannot sign in and every session of
// theirs ends) or enables them again.
func (db *DB) SetStudentDisabled(ctx context.Context, classID string, userID int64, disabled bool) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := studentOf(ctx, tx, classID, userID); err != nil {
			return err
		}
		set := `disabled_at = NULL`
		args := []any{}
		if disabled {
			set = `disabled_at = coalesce(disabled_at, ?), session_gen = session_gen + 1`
			args = append(args, millis(db.now()))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET `+set+` WHERE id = ?`, append(args, userID)...); err != nil {
			return fmt.Errorf("disable user %d: %w", userID, err)
		}
		return nil
	})
}

// RemoveStudent takes a student out of a class; an instructor of it is not touched.
func (db *DB) RemoveStudent(ctx context.Context, classID string, userID int64) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM class_members WHERE class_id = ? AND user_id = ? AND role = 'student'`, classID, userID)
	if err != nil {
		return fmt.Errorf("remove user %d from class %s: %w", userID, classID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "No such student in this class.")
	}
	return nil
}

// PasswordTokenUser returns the account an unspent, unexpired token sets the password of, or
// ENOTFOUND.
func (db *DB) PasswordTokenUser(ctx context.Context, tokenHash []byte) (*domain.User, error) {
	var r userRow
	err := db.get(ctx, &r, `SELECT u.id, u.username, u.display_name, u.role, u.created_at, u.disabled_at
		FROM password_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ?`, tokenHash, millis(db.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrTokenSpent
	}
	if err != nil {
		return nil, fmt.Errorf("find password token: %w", err)
	}
	return r.user(), nil
}

// UsePasswordToken spends a set-password token and sets the account's password, in one
// transaction: the UPDATE that marks the token used only matches an unspent, unexpired one, so
// two uses at once cannot both win. Every older session of the user ends; it returns the user
// and the new session generation. A disabled account is EFORBIDDEN and spends nothing.
func (db *DB) UsePasswordToken(ctx context.Context, tokenHash []byte, passwordHash string) (*domain.User, int64, error) {
	var (
		u   *domain.User
		gen int64
	)
	now := millis(db.now())
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var userID int64
		err := tx.GetContext(ctx, &userID, `UPDATE password_tokens SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`, now, tokenHash, now)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.ErrTokenSpent
		}
		if err != nil {
			return fmt.Errorf("spend password token: %w", err)
		}
		err = tx.GetContext(ctx, &gen, `UPDATE users SET password_hash = ?, session_gen = session_gen + 1
			WHERE id = ? AND disabled_at IS NULL RETURNING session_gen`, passwordHash, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.EFORBIDDEN, "This account is disabled. Ask your instructor to enable it.")
		}
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_tokens WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
			return fmt.Errorf("void tokens of user %d: %w", userID, err)
		}
		var r userRow
		if err := tx.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID); err != nil {
			return fmt.Errorf("find user %d: %w", userID, err)
		}
		u = r.user()
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return u, gen, nil
}

// SetInviteCode sets a class's join code (rotating it: the old one stops working at once), or
// turns joining by link off with "".
func (db *DB) SetInviteCode(ctx context.Context, classID, code string) error {
	res, err := db.write.ExecContext(ctx, `UPDATE classes SET invite_code = ? WHERE id = ?`,
		sql.NullString{String: code, Valid: code != ""}, classID)
	if err != nil {
		return fmt.Errorf("set invite code of class %s: %w", classID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "No such class.")
	}
	return nil
}

// ClassByInviteCode returns the class a join code opens, or ENOTFOUND.
func (db *DB) ClassByInviteCode(ctx context.Context, code string) (*domain.Class, error) {
	var r classRow
	err := db.get(ctx, &r, `SELECT `+classColumns+` FROM classes c WHERE c.invite_code = ? AND c.archived_at IS NULL`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "This invite link is not valid (any more). Ask your instructor for the current one.")
	}
	if err != nil {
		return nil, fmt.Errorf("find class by invite code: %w", err)
	}
	return r.class(), nil
}

// JoinClass makes userID a student of the class the code opens. Joining twice leaves one
// membership, and an instructor of the class who follows its link stays an instructor.
func (db *DB) JoinClass(ctx context.Context, code string, userID int64) (*domain.Class, error) {
	var c *domain.Class
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var r classRow
		err := tx.GetContext(ctx, &r, `SELECT `+classColumns+` FROM classes c WHERE c.invite_code = ? AND c.archived_at IS NULL`, code)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "This invite link is not valid (any more). Ask your instructor for the current one.")
		}
		if err != nil {
			return fmt.Errorf("find class by invite code: %w", err)
		}
		c = r.class()
		if _, err := tx.ExecContext(ctx, `INSERT INTO class_members (class_id, user_id, role, joined_at) VALUES (?, ?, 'student', ?)
			ON CONFLICT (class_id, user_id) DO NOTHING`, c.ID, userID, millis(db.now())); err != nil {
			return fmt.Errorf("join class %s: %w", c.ID, err)
		}
		return nil
	})
	return c, err
}

// UserByUsername returns a user, or ENOTFOUND.
func (db *DB) UserByUsername(ctx context.Context, username string) (*domain.User, error) {
	var r userRow
	err := db.get(ctx, &r, `SELECT `+userColumns+` FROM users WHERE username = ?`, username)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No user %q.", username)
	}
	if err != nil {
		return nil, fmt.Errorf("find user %q: %w", username, err)
	}
	return r.user(), nil
}

// UsersWithRoles lists the users with one of the roles, by username.
func (db *DB) UsersWithRoles(ctx context.Context, roles ...domain.Role) ([]*domain.User, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	args := make([]any, len(roles))
	for i, r := range roles {
		args[i] = string(r)
	}
	q, args, err := sqlx.In(`SELECT `+userColumns+` FROM users WHERE role IN (?) ORDER BY username`, args)
	if err != nil {
		return nil, fmt.Errorf("users with roles: %w", err)
	}
	var rows []userRow
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("users with roles: %w", err)
	}
	out := make([]*domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

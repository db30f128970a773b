package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

type classRow struct {
	ID         string         `db:"id"`
	Title      string         `db:"title"`
	InviteCode sql.NullString `db:"invite_code"`
	CreatedAt  int64          `db:"created_at"`
	ArchivedAt sql.NullInt64  `db:"archived_at"`
	Sections   sql.NullString `db:"sections"` // newline-separated, from group_concat
}

const classColumns = `c.id, c.title, c.invite_code, c.created_at, c.archived_at,
	(SELECT group_concat(name, char(10)) FROM (SELECT name FROM class_sections s WHERE s.class_id = c.id ORDER BY name)) AS sections`

func (r classRow) class() *domain.Class {
	c := &domain.Class{ID: r.ID, Title: r.Title, InviteCode: r.InviteCode.String,
		CreatedAt: fromMillis(r.CreatedAt), Archived: r.ArchivedAt.Valid}
	if r.Sections.String != "" {
		c.Sections = strings.Split(r.Sections.String, "\n")
	}
	return c
}

// CreateClass adds a class with its sections and its first instructor, in one transaction.
// A class id already taken is an ECONFLICT error.
func (db *DB) CreateClass(ctx context.Context, c *domain.Class, instructorID int64) error {
	if err := domain.ValidateClassID(c.ID); err != nil {
		return err
	}
	if strings.TrimSpace(c.Title) == "" {
		return domain.Errorf(domain.EINVALID, "A class needs a title.")
	}
	now := db.now()
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO classes (id, title, invite_code, created_at) VALUES (?, ?, ?, ?)`,
			c.ID, c.Title, sql.NullString{String: c.InviteCode, Valid: c.InviteCode != ""}, millis(now))
		if isUniqueViolation(err) {
			return domain.Errorf(domain.ECONFLICT, "A class with the id %q exists already.", c.ID)
		}
		if err != nil {
			return fmt.Errorf("create class %s: %w", c.ID, err)
		}
		for _, s := range c.Sections {
			if _, err := tx.ExecContext(ctx, `INSERT INTO class_sections (class_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, c.ID, s); err != nil {
				return fmt.Errorf("create section %s of class %s: %w", s, c.ID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO class_members (class_id, user_id, role, joined_at) VALUES (?, ?, 'instructor', ?)`,
			c.ID, instructorID, millis(now)); err != nil {
			return fmt.Errorf("add instructor to class %s: %w", c.ID, err)
		}
		c.CreatedAt = fromMillis(millis(now))
		slices.Sort(c.Sections)
		return nil
	})
}

// ClassByID returns a class, or an ENOTFOUND error. It does not check who asks: callers
// (the classroom service) decide that with ClassRoleOf first.
func (db *DB) ClassByID(ctx context.Context, id string) (*domain.Class, error) {
	var r classRow
	err := db.get(ctx, &r, `SELECT `+classColumns+` FROM classes c WHERE c.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "No such class.")
	}
	if err != nil {
		return nil, fmt.Errorf("find class %s: %w", id, err)
	}
	return r.class(), nil
}

// ClassesOf returns the classes userID belongs to, as any role, by title.
func (db *DB) ClassesOf(ctx context.Context, userID int64) ([]*domain.Class, error) {
	var rows []classRow
	err := db.sel(ctx, &rows, `SELECT `+classColumns+` FROM classes c JOIN class_members m ON m.class_id = c.id
		WHERE m.user_id = ? ORDER BY c.title, c.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("classes of user %d: %w", userID, err)
	}
	out := make([]*domain.Class, len(rows))
	for i, r := range rows {
		out[i] = r.class()
	}
	return out, nil
}

// AllClasses returns every class, by title (for admins).
func (db *DB) AllClasses(ctx context.Context) ([]*domain.Class, error) {
	var rows []classRow
	if err := db.sel(ctx, &rows, `SELECT `+classColumns+` FROM classes c ORDER BY c.title, c.id`); err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	out := make([]*domain.Class, len(rows))
	for i, r := range rows {
		out[i] = r.class()
	}
	return out, nil
}

// ClassRoleOf returns userID's role in class classID, or an ENOTFOUND error when they are not
// a member (or the class does not exist: the two are told apart by no one).
func (db *DB) ClassRoleOf(ctx context.Context, classID string, userID int64) (domain.ClassRole, error) {
	var role string
	err := db.get(ctx, &role, `SELECT role FROM class_members WHERE class_id = ? AND user_id = ?`, classID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", domain.Errorf(domain.ENOTFOUND, "No such class.")
	}
	if err != nil {
		return "", fmt.Errorf("role of user %d in class %s: %w", userID, classID, err)
	}
	return domain.ClassRole(role), nil
}

type memberRow struct {
	userRow
	Email    string `db:"email"`
	ClassID  string `db:"class_id"`
	Role     string `db:"member_role"`
	Section  string `db:"section"`
	JoinedAt int64  `db:"joined_at"`
}

// ClassMembers returns the members of a class, instructors first, then by username.
func (db *DB) ClassMembers(ctx context.Context, classID string) ([]*domain.ClassMember, error) {
	var rows []memberRow
	err := db.sel(ctx, &rows, `SELECT u.id, u.username, u.display_name, u.role, u.created_at, u.disabled_at, u.email,
		m.class_id, m.role AS member_role, m.section, m.joined_at
		FROM class_members m JOIN users u ON u.id = m.user_id WHERE m.class_id = ?
		ORDER BY m.role = 'student', u.username`, classID)
	if err != nil {
		return nil, fmt.Errorf("members of class %s: %w", classID, err)
	}
	out := make([]*domain.ClassMember, len(rows))
	for i, r := range rows {
		out[i] = &domain.ClassMember{ClassID: r.ClassID, User: *r.user(), Email: r.Email,
			Role: domain.ClassRole(r.Role), Section: r.Section, JoinedAt: fromMillis(r.JoinedAt)}
	}
	return out, nil
}

// AddClassMember puts userID in a class, or changes their role and section if they are in it
// already: joining twice leaves one membership.
func (db *DB) AddClassMember(ctx context.Context, classID string, userID int64, role domain.ClassRole, section string) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO class_members (class_id, user_id, role, section, joined_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (class_id, user_id) DO UPDATE SET role = excluded.role, section = excluded.section`,
		classID, userID, string(role), section, millis(db.now()))
	if isTriggerAbort(err) {
		return domain.Errorf(domain.EINVALID, "The class %s has no section %q.", classID, section)
	}
	if err != nil {
		return fmt.Errorf("add user %d to class %s: %w", userID, classID, err)
	}
	return nil
}

// RemoveClassMember takes userID out of a class. Their own work (exams, answers) stays theirs.
func (db *DB) RemoveClassMember(ctx context.Context, classID string, userID int64) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM class_members WHERE class_id = ? AND user_id = ?`, classID, userID)
	if err != nil {
		return fmt.Errorf("remove user %d from class %s: %w", userID, classID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "That person is not in the class.")
	}
	return nil
}

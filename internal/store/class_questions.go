package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// isConstraintViolation reports whether err is a CHECK constraint failing.
func isConstraintViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK
}

type classQuestionRow struct {
	ID          int64  `db:"id"`
	ClassID     string `db:"class_id"`
	Key         string `db:"key"`
	Name        string `db:"name"`
	IDNumber    string `db:"id_number"`
	Category    string `db:"category"`
	Competency  string `db:"competency"`
	Kind        string `db:"kind"`
	Difficulty  int    `db:"difficulty"`
	Stem        string `db:"stem"`
	Choices     string `db:"choices"`
	Explanation string `db:"explanation"`
	Refs        string `db:"refs"`
	Line        int    `db:"line"`
	UpdatedAt   int64  `db:"updated_at"`
}

const classQuestionColumns = `id, class_id, key, name, id_number, category, competency, kind, difficulty, stem, choices, explanation, refs, line, updated_at`

func (r classQuestionRow) question() (*domain.ClassQuestion, error) {
	q := &domain.ClassQuestion{ID: r.ID, ClassID: r.ClassID, Key: r.Key, Name: r.Name, IDNumber: r.IDNumber,
		Category: r.Category, Competency: r.Competency, Kind: domain.ClassQuestionKind(r.Kind), Difficulty: r.Difficulty,
		Stem: r.Stem, Explanation: r.Explanation, Line: r.Line, UpdatedAt: fromMillis(r.UpdatedAt)}
	if err := json.Unmarshal([]byte(r.Choices), &q.Choices); err != nil {
		return nil, fmt.Errorf("class question %d choices: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Refs), &q.References); err != nil {
		return nil, fmt.Errorf("class question %d references: %w", r.ID, err)
	}
	return q, nil
}

// SaveClassQuestions adds or updates a class's questions in one transaction: a question whose
// key the class has already is updated in place (its id, and so every exam and answer that
// names it, stays), any other is added. It sets each question's ID and returns how many were
// added and updated. Nothing is saved if one fails.
func (db *DB) SaveClassQuestions(ctx context.Context, classID string, qs []*domain.ClassQuestion) (created, updated int, err error) {
	now := millis(db.now())
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		created, updated = 0, 0
		for _, q := range qs {
			choices, err := json.Marshal(q.Choices)
			if err != nil {
				return fmt.Errorf("encode choices of %q: %w", q.Name, err)
			}
			refs := q.References
			if refs == nil {
				refs = []domain.ClassReference{}
			}
			refsJSON, err := json.Marshal(refs)
			if err != nil {
				return fmt.Errorf("encode references of %q: %w", q.Name, err)
			}
			// Inside the write transaction nobody else can add the key between this look and
			// the upsert; the unique index is what keeps one row per key regardless.
			var existing int
			if err := tx.GetContext(ctx, &existing, `SELECT count(*) FROM class_questions WHERE class_id = ? AND key = ?`, classID, q.Key); err != nil {
				return fmt.Errorf("look up class question %q: %w", q.Name, err)
			}
			var id int64
			// RETURNING reads the row's id whether it was inserted or updated.
			err = tx.GetContext(ctx, &id, `INSERT INTO class_questions (class_id, key, name, id_number, category, competency, kind,
					difficulty, stem, choices, explanation, refs, line, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (class_id, key) DO UPDATE SET name = excluded.name, id_number = excluded.id_number,
					category = excluded.category, competency = excluded.competency, kind = excluded.kind,
					difficulty = excluded.difficulty, stem = excluded.stem, choices = excluded.choices,
					explanation = excluded.explanation, refs = excluded.refs, line = excluded.line, updated_at = excluded.updated_at
				RETURNING id`,
				classID, q.Key, q.Name, q.IDNumber, q.Category, q.Competency, string(q.Kind), q.Difficulty, q.Stem,
				string(choices), q.Explanation, string(refsJSON), q.Line, now, now)
			if isConstraintViolation(err) {
				return domain.Errorf(domain.EINVALID, "Question %q (line %d) cannot be stored: %v", q.Name, q.Line, err)
			}
			if err != nil {
				return fmt.Errorf("save class question %q of %s: %w", q.Name, classID, err)
			}
			q.ID, q.ClassID = id, classID
			if existing == 0 {
				created++
			} else {
				updated++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, updated, nil
}

// classQuestions maps rows to questions.
func classQuestions(rows []classQuestionRow) ([]*domain.ClassQuestion, error) {
	out := make([]*domain.ClassQuestion, 0, len(rows))
	for _, r := range rows {
		q, err := r.question()
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// ClassQuestionList returns a class's questions by category, then name.
func (db *DB) ClassQuestionList(ctx context.Context, classID string) ([]*domain.ClassQuestion, error) {
	var rows []classQuestionRow
	if err := db.sel(ctx, &rows, `SELECT `+classQuestionColumns+` FROM class_questions WHERE class_id = ? ORDER BY category, name, id`, classID); err != nil {
		return nil, fmt.Errorf("questions of class %s: %w", classID, err)
	}
	return classQuestions(rows)
}

// ClassQuestionsFor returns the class questions among ids that userID may see: those of a
// class they belong to (as a student, or as an instructor who still holds a site role above
// learner: a demoted instructor's membership grants nothing). The scope is in the query: a
// question of another class is simply not returned.
func (db *DB) ClassQuestionsFor(ctx context.Context, userID int64, ids []int64) ([]*domain.ClassQuestion, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`SELECT `+classQuestionColumns+` FROM class_questions
		WHERE id IN (?) AND class_id IN (SELECT m.class_id FROM class_members m JOIN users u ON u.id = m.user_id
			WHERE m.user_id = ? AND NOT (m.role = ? AND u.role = ?))`, ids, userID, string(domain.ClassInstructor), string(domain.RoleLearner))
	if err != nil {
		return nil, fmt.Errorf("class questions for user %d: %w", userID, err)
	}
	var rows []classQuestionRow
	if err := db.sel(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("class questions for user %d: %w", userID, err)
	}
	return classQuestions(rows)
}

// ClassQuestionByID returns one class question, or ENOTFOUND.
func (db *DB) ClassQuestionByID(ctx context.Context, id int64) (*domain.ClassQuestion, error) {
	var r classQuestionRow
	err := db.get(ctx, &r, `SELECT `+classQuestionColumns+` FROM class_questions WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no such question.")
	}
	if err != nil {
		return nil, fmt.Errorf("class question %d: %w", id, err)
	}
	return r.question()
}

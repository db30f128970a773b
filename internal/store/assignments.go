package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

type assignmentRow struct {
	ID        int64          `db:"id"`
	ClassID   string         `db:"class_id"`
	Section   string         `db:"section"`
	Kind      string         `db:"kind"`
	Title     string         `db:"title"`
	Ref       string         `db:"ref"`
	OpensAt   sql.NullInt64  `db:"opens_at"`
	DueAt     int64          `db:"due_at"`
	ClosesAt  sql.NullInt64  `db:"closes_at"`
	Questions int            `db:"questions"`
	Minutes   int            `db:"minutes"`
	Attempts  int            `db:"attempts"`
	Grading   string         `db:"grading"`
	Review    string         `db:"review"`
	Source    string         `db:"source"`
	CreatedAt int64          `db:"created_at"`
	Items     sql.NullString `db:"items"` // newline-separated, in order
}

const assignmentColumns = `a.id, a.class_id, a.section, a.kind, a.title, a.ref, a.opens_at, a.due_at, a.closes_at,
	a.questions, a.minutes, a.attempts, a.grading, a.review, a.source, a.created_at,
	(SELECT group_concat(item_id, char(10)) FROM (SELECT item_id FROM class_assignment_items i
	 WHERE i.assignment_id = a.id ORDER BY position)) AS items`

func (r assignmentRow) assignment() *domain.Assignment {
	a := &domain.Assignment{ID: r.ID, ClassID: r.ClassID, Section: r.Section, Kind: domain.AssignmentKind(r.Kind),
		Title: r.Title, Ref: r.Ref, DueAt: fromMillis(r.DueAt), Questions: r.Questions, Minutes: r.Minutes,
		Attempts: r.Attempts, Grading: domain.ExamGrading(r.Grading), Review: domain.ReviewPolicy(r.Review),
		Source: domain.QuestionSource(r.Source), CreatedAt: fromMillis(r.CreatedAt)}
	if r.OpensAt.Valid {
		a.OpensAt = fromMillis(r.OpensAt.Int64)
	}
	if r.ClosesAt.Valid {
		a.ClosesAt = fromMillis(r.ClosesAt.Int64)
	}
	if r.Items.String != "" {
		a.Items = strings.Split(r.Items.String, "\n")
	}
	return a
}

func nullMillis(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: millis(t), Valid: !t.IsZero()}
}

// CreateAssignment adds an assignment and its items in one transaction and sets a.ID.
func (db *DB) CreateAssignment(ctx context.Context, a *domain.Assignment) error {
	now := db.now()
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO class_assignments (class_id, section, kind, title, ref, opens_at, due_at,
			closes_at, questions, minutes, attempts, grading, review, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ClassID, a.Section, string(a.Kind), a.Title, a.Ref, nullMillis(a.OpensAt), millis(a.DueAt), nullMillis(a.ClosesAt),
			a.Questions, a.Minutes, a.Attempts, string(a.Grading), string(a.Review), string(cmp.Or(a.Source, domain.SourceBank)), millis(now))
		if isTriggerAbort(err) {
			return domain.Errorf(domain.EINVALID, "The class %s has no section %q.", a.ClassID, a.Section)
		}
		if err != nil {
			return fmt.Errorf("create assignment in class %s: %w", a.ClassID, err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("create assignment: %w", err)
		}
		for i, it := range a.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO class_assignment_items (assignment_id, position, item_id) VALUES (?, ?, ?)`,
				a.ID, i+1, it); err != nil {
				if isUniqueViolation(err) {
					return domain.Errorf(domain.EINVALID, "%q is listed twice.", it)
				}
				return fmt.Errorf("create assignment item %s: %w", it, err)
			}
		}
		a.CreatedAt = fromMillis(millis(now))
		return nil
	})
}

// Assignments returns a class's assignments by due time.
func (db *DB) Assignments(ctx context.Context, classID string) ([]*domain.Assignment, error) {
	var rows []assignmentRow
	if err := db.sel(ctx, &rows, `SELECT `+assignmentColumns+` FROM class_assignments a WHERE a.class_id = ?
		ORDER BY a.due_at, a.id`, classID); err != nil {
		return nil, fmt.Errorf("assignments of class %s: %w", classID, err)
	}
	out := make([]*domain.Assignment, len(rows))
	for i, r := range rows {
		out[i] = r.assignment()
	}
	return out, nil
}

// Assignment returns one assignment of a class, or ENOTFOUND.
func (db *DB) Assignment(ctx context.Context, classID string, id int64) (*domain.Assignment, error) {
	var r assignmentRow
	err := db.get(ctx, &r, `SELECT `+assignmentColumns+` FROM class_assignments a WHERE a.class_id = ? AND a.id = ?`, classID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no such assignment.")
	}
	if err != nil {
		return nil, fmt.Errorf("assignment %d: %w", id, err)
	}
	return r.assignment(), nil
}

// AssignmentsFor returns the assignments given to userID as a student, in every class they
// are in (their section's and the whole class's), by due time.
func (db *DB) AssignmentsFor(ctx context.Context, userID int64) ([]*domain.Assignment, error) {
	var rows []assignmentRow
	if err := db.sel(ctx, &rows, `SELECT `+assignmentColumns+` FROM class_assignments a
		JOIN class_members m ON m.class_id = a.class_id AND m.user_id = ? AND m.role = 'student'
		JOIN classes c ON c.id = a.class_id AND c.archived_at IS NULL
		WHERE a.section = '' OR a.section = m.section ORDER BY a.due_at, a.id`, userID); err != nil {
		return nil, fmt.Errorf("assignments of user %d: %w", userID, err)
	}
	out := make([]*domain.Assignment, len(rows))
	for i, r := range rows {
		out[i] = r.assignment()
	}
	return out, nil
}

// assignmentError turns the exam trigger's refusals into errors a student can read.
func assignmentError(err error, attempts int) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no attempts left"):
		return domain.Errorf(domain.ECONFLICT, "You have used all %d attempts of this exam.", attempts)
	case strings.Contains(msg, "not open"):
		return domain.Errorf(domain.ECONFLICT, "This exam is not open now.")
	default:
		return domain.Errorf(domain.ENOTFOUND, "There is no such assignment.")
	}
}

// CreateAssignmentExam starts an exam of an assignment for userID, in one transaction: the
// deadline is the assignment's time limit plus the student's extra time, and never later than
// a live window's end (plus the extra time). The database refuses, by trigger, a student the
// exam is not assigned to, a start before it opens or after its window, and an attempt beyond
// those allowed; and, by index, a second open exam (domain.ErrExamInProgress).
func (db *DB) CreateAssignmentExam(ctx context.Context, userID, assignmentID int64, ne domain.NewExam) (domain.Exam, error) {
	now := db.now()
	var id int64
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var a struct {
			Minutes  int           `db:"minutes"`
			Attempts int           `db:"attempts"`
			ClosesAt sql.NullInt64 `db:"closes_at"`
			Extra    int           `db:"extra"`
		}
		err := tx.GetContext(ctx, &a, `SELECT a.minutes, a.attempts, a.closes_at, coalesce(acc.extra_minutes, 0) AS extra
			FROM class_assignments a LEFT JOIN class_accommodations acc ON acc.assignment_id = a.id AND acc.user_id = ?
			WHERE a.id = ? AND a.kind = 'exam'`, userID, assignmentID)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "There is no such assignment.")
		}
		if err != nil {
			return fmt.Errorf("assignment %d: %w", assignmentID, err)
		}
		minutes := a.Minutes + a.Extra
		deadline := millis(now) + int64(minutes)*60000
		if a.ClosesAt.Valid {
			deadline = min(deadline, a.ClosesAt.Int64+int64(a.Extra)*60000)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO exams (user_id, started_at, deadline_at, minutes, pass_score, max_score, total, assignment_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, userID, millis(now), deadline, minutes, ne.PassScore, ne.MaxScore, len(ne.Questions), assignmentID)
		switch {
		case isUniqueViolation(err):
			return domain.ErrExamInProgress
		case isTriggerAbort(err):
			return assignmentError(err, a.Attempts)
		case err != nil:
			return fmt.Errorf("create exam of assignment %d: %w", assignmentID, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("create exam: %w", err)
		}
		for i, q := range ne.Questions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO exam_questions (exam_id, position, question_id, choice_order) VALUES (?, ?, ?, ?)`,
				id, i+1, q.QuestionID, joinInts(q.ChoiceOrder)); err != nil {
				return fmt.Errorf("create exam question %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return domain.Exam{}, err
	}
	return db.Exam(ctx, userID, id)
}

// SetAccommodation gives userID extra minutes on an exam assignment (0 takes them away), and
// moves the deadline of their exam of it in progress at once, in one transaction: the server
// judges that exam by the new deadline from the next request on.
func (db *DB) SetAccommodation(ctx context.Context, assignmentID, userID int64, extra int) error {
	now := db.now()
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if extra == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM class_accommodations WHERE assignment_id = ? AND user_id = ?`, assignmentID, userID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO class_accommodations (assignment_id, user_id, extra_minutes) VALUES (?, ?, ?)
				ON CONFLICT (assignment_id, user_id) DO UPDATE SET extra_minutes = excluded.extra_minutes`, assignmentID, userID, extra)
		}
		if err != nil {
			return fmt.Errorf("extra time for user %d on assignment %d: %w", userID, assignmentID, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE exams SET
			minutes = (SELECT a.minutes FROM class_assignments a WHERE a.id = exams.assignment_id) + ?1,
			deadline_at = (SELECT min(exams.started_at + (a.minutes + ?1) * 60000, coalesce(a.closes_at + ?1 * 60000, 9223372036854775807))
				FROM class_assignments a WHERE a.id = exams.assignment_id)
			WHERE assignment_id = ?2 AND user_id = ?3 AND submitted_at IS NULL AND deadline_at > ?4`,
			extra, assignmentID, userID, millis(now))
		if err != nil {
			return fmt.Errorf("move deadline for user %d on assignment %d: %w", userID, assignmentID, err)
		}
		return nil
	})
}

// OpenLiveWindow opens an exam assignment from opens to closes (a live class exam): no
// attempt starts outside the window, and the window's end is the due time.
func (db *DB) OpenLiveWindow(ctx context.Context, assignmentID int64, opens, closes time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE class_assignments SET opens_at = ?, closes_at = ?, due_at = ?
		WHERE id = ? AND kind = 'exam'`, millis(opens), millis(closes), millis(closes), assignmentID)
	if err != nil {
		return fmt.Errorf("open live window of assignment %d: %w", assignmentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no such exam assignment.")
	}
	return nil
}

// LiveExam lists every student an exam assignment is given to, with their latest attempt.
func (db *DB) LiveExam(ctx context.Context, assignmentID int64) ([]domain.LiveExamRow, error) {
	var rows []struct {
		UserID      int64         `db:"user_id"`
		Username    string        `db:"username"`
		Name        string        `db:"display_name"`
		Section     string        `db:"section"`
		Extra       int           `db:"extra"`
		ExamID      sql.NullInt64 `db:"exam_id"`
		StartedAt   sql.NullInt64 `db:"started_at"`
		Deadline    sql.NullInt64 `db:"deadline_at"`
		SubmittedAt sql.NullInt64 `db:"submitted_at"`
		Score       sql.NullInt64 `db:"score"`
		MaxScore    sql.NullInt64 `db:"max_score"`
		Total       sql.NullInt64 `db:"total"`
		Answered    int           `db:"answered"`
	}
	err := db.sel(ctx, &rows, `SELECT u.id AS user_id, u.username, u.display_name, m.section,
		coalesce(acc.extra_minutes, 0) AS extra, e.id AS exam_id, e.started_at, e.deadline_at, e.submitted_at,
		e.score, e.max_score, e.total,
		(SELECT count(*) FROM exam_questions q WHERE q.exam_id = e.id AND q.picked <> '') AS answered
		FROM class_assignments a
		JOIN class_members m ON m.class_id = a.class_id AND m.role = 'student' AND (a.section = '' OR a.section = m.section)
		JOIN users u ON u.id = m.user_id
		LEFT JOIN class_accommodations acc ON acc.assignment_id = a.id AND acc.user_id = m.user_id
		LEFT JOIN exams e ON e.id = (SELECT max(x.id) FROM exams x WHERE x.assignment_id = a.id AND x.user_id = m.user_id)
		WHERE a.id = ? ORDER BY u.username`, assignmentID)
	if err != nil {
		return nil, fmt.Errorf("live exam of assignment %d: %w", assignmentID, err)
	}
	out := make([]domain.LiveExamRow, len(rows))
	for i, r := range rows {
		l := domain.LiveExamRow{UserID: r.UserID, Username: r.Username, Name: r.Name, Section: r.Section,
			ExtraMinutes: r.Extra, ExamID: r.ExamID.Int64, Answered: r.Answered, Total: int(r.Total.Int64),
			Score: int(r.Score.Int64), MaxScore: int(r.MaxScore.Int64)}
		if r.StartedAt.Valid {
			l.StartedAt, l.Deadline = fromMillis(r.StartedAt.Int64), fromMillis(r.Deadline.Int64)
		}
		if r.SubmittedAt.Valid {
			l.SubmittedAt = fromMillis(r.SubmittedAt.Int64)
		}
		out[i] = l
	}
	return out, nil
}

// ClassTallies counts right answers of a class's students per section and question: the
// heat map's evidence, in one grouped query.
func (db *DB) ClassTallies(ctx context.Context, classID string) ([]domain.CompetencyTally, error) {
	var rows []struct {
		Section    string `db:"section"`
		QuestionID string `db:"question_id"`
		Correct    int    `db:"correct"`
		Total      int    `db:"total"`
	}
	err := db.sel(ctx, &rows, `SELECT m.section, an.question_id, sum(an.correct) AS correct, count(*) AS total
		FROM class_members m JOIN answers an ON an.user_id = m.user_id
		WHERE m.class_id = ? AND m.role = 'student' GROUP BY m.section, an.question_id`, classID)
	if err != nil {
		return nil, fmt.Errorf("answers of class %s: %w", classID, err)
	}
	out := make([]domain.CompetencyTally, len(rows))
	for i, r := range rows {
		out[i] = domain.CompetencyTally{Section: r.Section, QuestionID: r.QuestionID, Correct: r.Correct, Total: r.Total}
	}
	return out, nil
}

// ClassActivity returns each student's latest activity anywhere (answers, lessons, an exam in
// progress, labs), by user id, in one query.
func (db *DB) ClassActivity(ctx context.Context, classID string) (map[int64]time.Time, error) {
	var rows []struct {
		UserID int64 `db:"user_id"`
		Last   int64 `db:"last"`
	}
	err := db.sel(ctx, &rows, `SELECT m.user_id, max(
		coalesce((SELECT max(answered_at) FROM answers WHERE user_id = m.user_id), 0),
		coalesce((SELECT max(completed_at) FROM lesson_progress WHERE user_id = m.user_id), 0),
		coalesce((SELECT max(q.answered_at) FROM exams e JOIN exam_questions q ON q.exam_id = e.id
		          WHERE e.user_id = m.user_id AND e.submitted_at IS NULL), 0),
		coalesce((SELECT max(last_active_at) FROM lab_sessions WHERE user_id = m.user_id), 0)) AS last
		FROM class_members m WHERE m.class_id = ? AND m.role = 'student'`, classID)
	if err != nil {
		return nil, fmt.Errorf("activity of class %s: %w", classID, err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		if r.Last > 0 {
			out[r.UserID] = fromMillis(r.Last)
		}
	}
	return out, nil
}

// LabPasses returns the labs userID passed, by lab id.
func (db *DB) LabPasses(ctx context.Context, userID int64) ([]domain.LabPass, error) {
	var rows []struct {
		LabID    string `db:"lab_id"`
		PassedAt int64  `db:"passed_at"`
	}
	if err := db.sel(ctx, &rows, `SELECT lab_id, passed_at FROM lab_passes WHERE user_id = ? ORDER BY lab_id`, userID); err != nil {
		return nil, fmt.Errorf("labs passed by user %d: %w", userID, err)
	}
	out := make([]domain.LabPass, len(rows))
	for i, r := range rows {
		out[i] = domain.LabPass{LabID: r.LabID, PassedAt: fromMillis(r.PassedAt)}
	}
	return out, nil
}

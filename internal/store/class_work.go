package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// pairsCTE is every (assignment, student) pair of a class that the assignment is given to:
// the whole class's, or the student's section's. ?1 is the class, ?2 one student (0: all).
const pairsCTE = `WITH pairs AS (
	SELECT a.id AS aid, m.user_id AS uid, a.kind, a.ref, a.grading,
	       coalesce(a.opens_at, a.created_at) AS start_at
	FROM class_assignments a
	JOIN class_members m ON m.class_id = a.class_id AND m.role = 'student' AND (a.section = '' OR a.section = m.section)
	WHERE a.class_id = ?1 AND (?2 = 0 OR m.user_id = ?2))
`

type workKey struct{ aid, uid int64 }

// ClassWork returns the facts of every student's work on every assignment of a class given
// to them (or of one student, userID > 0), with Status settled against each due time. It runs
// one grouped query per kind of assignment, whatever the number of students: no query per
// student or per cell.
func (db *DB) ClassWork(ctx context.Context, classID string, userID int64) ([]domain.Work, error) {
	var pairs []struct {
		AID int64 `db:"aid"`
		UID int64 `db:"uid"`
		Due int64 `db:"due_at"`
	}
	if err := db.sel(ctx, &pairs, pairsCTE+`SELECT p.aid, p.uid, a.due_at FROM pairs p JOIN class_assignments a ON a.id = p.aid
		ORDER BY p.aid, p.uid`, classID, userID); err != nil {
		return nil, fmt.Errorf("work of class %s: %w", classID, err)
	}
	out := make([]domain.Work, len(pairs))
	idx := make(map[workKey]*domain.Work, len(pairs))
	for i, p := range pairs {
		out[i] = domain.Work{AssignmentID: p.AID, UserID: p.UID, Status: domain.WorkNotStarted}
		idx[workKey{p.AID, p.UID}] = &out[i]
	}
	steps := []func(context.Context, string, int64, map[workKey]*domain.Work) error{
		db.lessonWork, db.practiceWork, db.examWork, db.labWork,
	}
	for _, step := range steps {
		if err := step(ctx, classID, userID, idx); err != nil {
			return nil, err
		}
	}
	for i, p := range pairs {
		out[i].Settle(fromMillis(p.Due))
	}
	return out, nil
}

// lessonWork: done when every lesson is marked complete; the score is the share read.
func (db *DB) lessonWork(ctx context.Context, classID string, userID int64, idx map[workKey]*domain.Work) error {
	var rows []struct {
		AID   int64         `db:"aid"`
		UID   int64         `db:"uid"`
		Total int           `db:"total"`
		Done  int           `db:"done"`
		Last  sql.NullInt64 `db:"last_at"`
	}
	err := db.sel(ctx, &rows, pairsCTE+`SELECT p.aid, p.uid, count(*) AS total, count(lp.lesson_id) AS done, max(lp.completed_at) AS last_at
		FROM pairs p JOIN class_assignment_items i ON i.assignment_id = p.aid
		LEFT JOIN lesson_progress lp ON lp.user_id = p.uid AND lp.lesson_id = i.item_id
		WHERE p.kind = 'lessons' GROUP BY p.aid, p.uid`, classID, userID)
	if err != nil {
		return fmt.Errorf("lesson work of class %s: %w", classID, err)
	}
	for _, r := range rows {
		w := idx[workKey{r.AID, r.UID}]
		w.Progress, w.Of = r.Done, r.Total
		if r.Done > 0 {
			w.HasScore, w.Score = true, 100*r.Done/max(r.Total, 1)
			w.LastAt = fromMillis(r.Last.Int64)
		}
		if r.Done == r.Total {
			w.DoneAt = w.LastAt
		}
	}
	return nil
}

// practiceWork: each question of the set counts by the student's first practice answer after
// the assignment opened; done when every question has one. The look-ups go by (user,
// question): left to itself SQLite walks the user's answers by time to satisfy the ORDER BY,
// every exam answer included, which made a gradebook of 300 students take seconds.
func (db *DB) practiceWork(ctx context.Context, classID string, userID int64, idx map[workKey]*domain.Work) error {
	var rows []struct {
		AID      int64         `db:"aid"`
		UID      int64         `db:"uid"`
		Total    int           `db:"total"`
		Answered int           `db:"answered"`
		Correct  sql.NullInt64 `db:"correct"`
		Last     sql.NullInt64 `db:"last_at"`
	}
	err := db.sel(ctx, &rows, pairsCTE+`, firsts AS (
		SELECT p.aid, p.uid,
		  (SELECT an.answered_at FROM answers an INDEXED BY answers_user_question WHERE an.user_id = p.uid AND an.question_id = i.item_id
		     AND an.source IN ('practice', 'review') AND an.answered_at >= p.start_at ORDER BY an.answered_at, an.id LIMIT 1) AS at,
		  (SELECT an.correct FROM answers an INDEXED BY answers_user_question WHERE an.user_id = p.uid AND an.question_id = i.item_id
		     AND an.source IN ('practice', 'review') AND an.answered_at >= p.start_at ORDER BY an.answered_at, an.id LIMIT 1) AS ok
		FROM pairs p JOIN class_assignment_items i ON i.assignment_id = p.aid WHERE p.kind = 'practice')
		SELECT aid, uid, count(*) AS total, count(at) AS answered, sum(ok) AS correct, max(at) AS last_at
		FROM firsts GROUP BY aid, uid`, classID, userID)
	if err != nil {
		return fmt.Errorf("practice work of class %s: %w", classID, err)
	}
	for _, r := range rows {
		w := idx[workKey{r.AID, r.UID}]
		w.Progress, w.Of = r.Answered, r.Total
		if r.Answered > 0 {
			w.HasScore, w.Score = true, int(100*r.Correct.Int64)/max(r.Total, 1)
			w.LastAt = fromMillis(r.Last.Int64)
		}
		if r.Answered == r.Total && r.Total > 0 {
			w.DoneAt = w.LastAt
		}
	}
	return nil
}

// examWork: the counted attempt (highest, last or first submitted, as the assignment says)
// gives the score and the time done; an attempt in progress makes it in progress. Only open
// attempts have their questions counted: a submitted one's last activity is its submission.
func (db *DB) examWork(ctx context.Context, classID string, userID int64, idx map[workKey]*domain.Work) error {
	var rows []struct {
		AID       int64         `db:"aid"`
		UID       int64         `db:"uid"`
		ExamID    int64         `db:"exam_id"`
		Started   int64         `db:"started_at"`
		Submitted sql.NullInt64 `db:"submitted_at"`
		Score     sql.NullInt64 `db:"score"`
		MaxScore  int           `db:"max_score"`
		Total     int           `db:"total"`
		Answered  int           `db:"answered"`
		LastQ     sql.NullInt64 `db:"last_q"`
		Rank      sql.NullInt64 `db:"counted_rank"`
		Attempts  int           `db:"attempts"`
	}
	err := db.sel(ctx, &rows, pairsCTE+`SELECT p.aid, p.uid, e.id AS exam_id, e.started_at, e.submitted_at, e.score,
		e.max_score, e.total,
		CASE WHEN e.submitted_at IS NULL THEN (SELECT count(*) FROM exam_questions q WHERE q.exam_id = e.id AND q.picked <> '') ELSE e.total END AS answered,
		CASE WHEN e.submitted_at IS NULL THEN (SELECT max(q.answered_at) FROM exam_questions q WHERE q.exam_id = e.id) END AS last_q,
		CASE WHEN e.submitted_at IS NOT NULL THEN row_number() OVER (
			PARTITION BY p.aid, p.uid, e.submitted_at IS NULL ORDER BY
			CASE p.grading WHEN 'highest' THEN -e.score * 1.0 / max(e.max_score, 1)
			               WHEN 'last' THEN -e.id ELSE e.id END, e.id) END AS counted_rank,
		count(*) OVER (PARTITION BY p.aid, p.uid) AS attempts
		FROM pairs p JOIN exams e ON e.assignment_id = p.aid AND e.user_id = p.uid
		WHERE p.kind = 'exam'`, classID, userID)
	if err != nil {
		return fmt.Errorf("exam work of class %s: %w", classID, err)
	}
	for _, r := range rows {
		w := idx[workKey{r.AID, r.UID}]
		w.Attempts = r.Attempts
		last := max(r.Started, r.LastQ.Int64, r.Submitted.Int64)
		if t := fromMillis(last); t.After(w.LastAt) {
			w.LastAt = t
		}
		switch {
		case !r.Submitted.Valid:
			w.OpenExamID = r.ExamID
			if w.DoneAt.IsZero() {
				w.Progress, w.Of = r.Answered, r.Total
			}
		case r.Rank.Int64 == 1:
			w.LastExamID = r.ExamID
			w.HasScore, w.Score = true, int(100*r.Score.Int64)/max(r.MaxScore, 1)
			w.DoneAt = fromMillis(r.Submitted.Int64)
			w.Progress, w.Of = r.Answered, r.Total
		}
	}
	return nil
}

// labWork: done when the lab was passed (every check passing once); in progress while the
// student has run it.
func (db *DB) labWork(ctx context.Context, classID string, userID int64, idx map[workKey]*domain.Work) error {
	var rows []struct {
		AID    int64         `db:"aid"`
		UID    int64         `db:"uid"`
		Passed sql.NullInt64 `db:"passed_at"`
		Last   sql.NullInt64 `db:"last_at"`
	}
	err := db.sel(ctx, &rows, pairsCTE+`SELECT p.aid, p.uid, lp.passed_at,
		(SELECT max(s.last_active_at) FROM lab_sessions s WHERE s.user_id = p.uid AND s.lab_id = p.ref) AS last_at
		FROM pairs p LEFT JOIN lab_passes lp ON lp.user_id = p.uid AND lp.lab_id = p.ref
		WHERE p.kind = 'lab' AND (lp.passed_at IS NOT NULL OR EXISTS (SELECT 1 FROM lab_sessions s WHERE s.user_id = p.uid AND s.lab_id = p.ref))`,
		classID, userID)
	if err != nil {
		return fmt.Errorf("lab work of class %s: %w", classID, err)
	}
	for _, r := range rows {
		w := idx[workKey{r.AID, r.UID}]
		w.Of = 1
		if r.Last.Valid {
			w.LastAt = fromMillis(r.Last.Int64)
		}
		if r.Passed.Valid {
			w.Progress, w.HasScore, w.Score = 1, true, 100
			w.DoneAt = fromMillis(r.Passed.Int64)
			if w.DoneAt.After(w.LastAt) {
				w.LastAt = w.DoneAt
			}
		}
	}
	return nil
}

-- +goose Up
-- One exam in progress per learner, enforced here rather than by a check-then-insert in Go:
-- parallel starts (a double click, two tabs) used to open several exams, whose orphans were
-- later auto-submitted as zeros. Before the index can exist, earlier duplicates are closed:
-- per learner the open exam with the latest activity stays open; the others are deleted when
-- nobody answered anything in them (the orphans of a double click), and otherwise kept as
-- auto-submitted at their start (score 0, the answers stay in exam_questions).
WITH ranked AS (
    SELECT e.id, row_number() OVER (PARTITION BY e.user_id
        ORDER BY max(e.started_at, coalesce((SELECT max(q.answered_at) FROM exam_questions q WHERE q.exam_id = e.id), 0)) DESC, e.id DESC) AS rn
    FROM exams e WHERE e.submitted_at IS NULL
)
DELETE FROM exams WHERE id IN (SELECT id FROM ranked WHERE rn > 1)
    AND NOT EXISTS (SELECT 1 FROM exam_questions q WHERE q.exam_id = exams.id AND q.picked IS NOT NULL AND q.picked <> '');

WITH ranked AS (
    SELECT e.id, row_number() OVER (PARTITION BY e.user_id
        ORDER BY max(e.started_at, coalesce((SELECT max(q.answered_at) FROM exam_questions q WHERE q.exam_id = e.id), 0)) DESC, e.id DESC) AS rn
    FROM exams e WHERE e.submitted_at IS NULL
)
UPDATE exams SET submitted_at = started_at, auto_submitted = 1, score = 0, correct = 0
    WHERE id IN (SELECT id FROM ranked WHERE rn > 1);

CREATE UNIQUE INDEX exams_one_open ON exams (user_id) WHERE submitted_at IS NULL;

-- +goose Down
DROP INDEX exams_one_open;

-- +goose Up
-- Assignments of a class: work with an optional opens-at and a due-at, for the whole class
-- (section '') or one section. Late work is recorded, never refused: due_at only marks it late.
-- closes_at is the end of a live exam window; after it no attempt may start.
CREATE TABLE class_assignments (
    id         INTEGER PRIMARY KEY,
    class_id   TEXT    NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    section    TEXT    NOT NULL DEFAULT '',
    kind       TEXT    NOT NULL CHECK (kind IN ('lessons', 'practice', 'exam', 'lab')),
    title      TEXT    NOT NULL CHECK (trim(title) <> ''),
    ref        TEXT    NOT NULL DEFAULT '',     -- the lab id of a lab
    opens_at   INTEGER,                          -- NULL: open at once
    due_at     INTEGER NOT NULL,
    closes_at  INTEGER,                          -- NULL: attempts may start after the due time (late)
    -- mock exam settings (kind 'exam')
    questions  INTEGER NOT NULL DEFAULT 0 CHECK (questions >= 0),
    minutes    INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    attempts   INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 0), -- 0: unlimited
    grading    TEXT    NOT NULL DEFAULT 'highest' CHECK (grading IN ('highest', 'last', 'first')),
    review     TEXT    NOT NULL DEFAULT 'after_due' CHECK (review IN ('immediately', 'after_due', 'never')),
    created_at INTEGER NOT NULL,
    CHECK (opens_at IS NULL OR opens_at <= due_at),
    CHECK (closes_at IS NULL OR opens_at IS NULL OR opens_at < closes_at),
    CHECK (kind <> 'exam' OR (questions > 0 AND minutes > 0)),
    CHECK (kind <> 'lab' OR ref <> '')
);
CREATE INDEX class_assignments_class ON class_assignments (class_id, due_at);

-- +goose StatementBegin
CREATE TRIGGER class_assignments_section BEFORE INSERT ON class_assignments
WHEN NEW.section <> '' AND NOT EXISTS (SELECT 1 FROM class_sections WHERE class_id = NEW.class_id AND name = NEW.section)
BEGIN
    SELECT RAISE(ABORT, 'unknown section');
END;
-- +goose StatementEnd

-- What an assignment is made of, in order: lesson ids (kind 'lessons') or question ids
-- (kind 'practice'), fixed when it is created so every student gets the same set.
CREATE TABLE class_assignment_items (
    assignment_id INTEGER NOT NULL REFERENCES class_assignments (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    item_id       TEXT    NOT NULL,
    PRIMARY KEY (assignment_id, position),
    UNIQUE (assignment_id, item_id)
) WITHOUT ROWID;

-- Extra time for one student on one exam assignment (an accommodation).
CREATE TABLE class_accommodations (
    assignment_id INTEGER NOT NULL REFERENCES class_assignments (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    extra_minutes INTEGER NOT NULL CHECK (extra_minutes BETWEEN 1 AND 1440),
    PRIMARY KEY (assignment_id, user_id)
) WITHOUT ROWID;

-- An exam taken for an assignment. The one-open-exam index of 00006 still holds.
ALTER TABLE exams ADD COLUMN assignment_id INTEGER REFERENCES class_assignments (id) ON DELETE SET NULL;
CREATE INDEX exams_assignment ON exams (assignment_id, user_id) WHERE assignment_id IS NOT NULL;

-- The rules of an assignment's attempts, checked by the insert itself (no check-then-act):
-- only a student it is assigned to, not before it opens, not after a live window closed,
-- and no more attempts than allowed. Parallel starts are serialized by SQLite's one writer.
-- +goose StatementBegin
CREATE TRIGGER exams_assignment_rules BEFORE INSERT ON exams
WHEN NEW.assignment_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'assignment: not assigned')
    WHERE NOT EXISTS (SELECT 1 FROM class_assignments a JOIN class_members m ON m.class_id = a.class_id
        WHERE a.id = NEW.assignment_id AND a.kind = 'exam' AND m.user_id = NEW.user_id AND m.role = 'student'
          AND (a.section = '' OR a.section = m.section));
    SELECT RAISE(ABORT, 'assignment: not open')
    FROM class_assignments a WHERE a.id = NEW.assignment_id
        AND ((a.opens_at IS NOT NULL AND NEW.started_at < a.opens_at) OR (a.closes_at IS NOT NULL AND NEW.started_at >= a.closes_at));
    SELECT RAISE(ABORT, 'assignment: no attempts left')
    FROM class_assignments a WHERE a.id = NEW.assignment_id AND a.attempts > 0
        AND (SELECT count(*) FROM exams e WHERE e.assignment_id = NEW.assignment_id AND e.user_id = NEW.user_id) >= a.attempts;
END;
-- +goose StatementEnd

-- A lab passed: the first time a check of the learner's session found every check passing.
-- Kept apart from lab_sessions.last_report (only the latest check), so breaking the cluster
-- afterwards, resetting or stopping the lab never takes a pass back. Recorded by trigger
-- when a report is saved.
CREATE TABLE lab_passes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lab_id    TEXT    NOT NULL,
    passed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, lab_id)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER lab_passes_record AFTER UPDATE OF last_report ON lab_sessions
WHEN NEW.last_report IS NOT NULL
    AND EXISTS (SELECT 1 FROM json_each(NEW.last_report, '$.tasks') t, json_each(t.value, '$.checks') c)
    AND NOT EXISTS (SELECT 1 FROM json_each(NEW.last_report, '$.tasks') t, json_each(t.value, '$.checks') c
        WHERE json_extract(c.value, '$.passed') IS NOT 1)
BEGIN
    INSERT INTO lab_passes (user_id, lab_id, passed_at) VALUES (NEW.user_id, NEW.lab_id, NEW.last_active_at)
    ON CONFLICT DO NOTHING;
END;
-- +goose StatementEnd

INSERT INTO lab_passes (user_id, lab_id, passed_at)
SELECT s.user_id, s.lab_id, min(s.last_active_at) FROM lab_sessions s
WHERE s.last_report IS NOT NULL
    AND EXISTS (SELECT 1 FROM json_each(s.last_report, '$.tasks') t, json_each(t.value, '$.checks') c)
    AND NOT EXISTS (SELECT 1 FROM json_each(s.last_report, '$.tasks') t, json_each(t.value, '$.checks') c
        WHERE json_extract(c.value, '$.passed') IS NOT 1)
GROUP BY s.user_id, s.lab_id;

-- +goose Down
DROP TRIGGER lab_passes_record;
DROP TABLE lab_passes;
DROP TRIGGER exams_assignment_rules;
DROP INDEX exams_assignment;
ALTER TABLE exams DROP COLUMN assignment_id;
DROP TABLE class_accommodations;
DROP TABLE class_assignment_items;
DROP TRIGGER class_assignments_section;
DROP TABLE class_assignments;

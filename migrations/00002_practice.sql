-- +goose Up
-- A mock exam. Its settings are copied from curriculum.yaml when it starts, so editing the
-- curriculum never changes an exam in progress or a past result.
CREATE TABLE exams (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at     INTEGER NOT NULL,
    deadline_at    INTEGER NOT NULL,          -- the server's deadline; the page timer only shows it
    submitted_at   INTEGER,                   -- NULL while in progress
    auto_submitted INTEGER NOT NULL DEFAULT 0, -- 1 when the deadline submitted it
    minutes        INTEGER NOT NULL,
    pass_score     INTEGER NOT NULL,
    max_score      INTEGER NOT NULL,
    score          INTEGER,                   -- on the max_score scale, set at submission
    correct        INTEGER,
    total          INTEGER NOT NULL
);
CREATE INDEX exams_user ON exams (user_id, started_at);
CREATE INDEX exams_open ON exams (deadline_at) WHERE submitted_at IS NULL;

-- Every answer a learner gives, in practice or in a submitted exam: the evidence behind
-- "weakest areas", readiness and the review queue. picked is the chosen choice indices (in the
-- question file's order), comma-separated.
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    picked      TEXT    NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    source      TEXT    NOT NULL CHECK (source IN ('practice', 'exam', 'review')),
    exam_id     INTEGER REFERENCES exams (id) ON DELETE CASCADE,
    client_token TEXT,                        -- the form's one-time token: a resubmitted form is ignored
    answered_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX answers_token ON answers (user_id, client_token) WHERE client_token IS NOT NULL;
CREATE INDEX answers_user_time ON answers (user_id, answered_at);
CREATE INDEX answers_user_question ON answers (user_id, question_id);

-- The questions of an exam, in order. choice_order is the shuffled display order of the
-- choices (indices into the question file's choices), comma-separated.
CREATE TABLE exam_questions (
    exam_id      INTEGER NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,            -- 1-based
    question_id  TEXT    NOT NULL,
    choice_order TEXT    NOT NULL,
    picked       TEXT,                        -- NULL: not answered; '' cleared
    flagged      INTEGER NOT NULL DEFAULT 0,
    answered_at  INTEGER,
    PRIMARY KEY (exam_id, position)
) WITHOUT ROWID;

-- Spaced-repetition cards (FSRS). A missed question becomes a card due at once.
CREATE TABLE review_cards (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    stability   REAL    NOT NULL DEFAULT 0,
    difficulty  REAL    NOT NULL DEFAULT 0,
    reps        INTEGER NOT NULL DEFAULT 0,
    lapses      INTEGER NOT NULL DEFAULT 0,
    last_review INTEGER,
    due_at      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;
CREATE INDEX review_cards_due ON review_cards (user_id, due_at);

CREATE TABLE review_log (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    stability   REAL    NOT NULL,
    difficulty  REAL    NOT NULL,
    interval    INTEGER NOT NULL,
    reviewed_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE review_log;
DROP TABLE review_cards;
DROP TABLE exam_questions;
DROP TABLE exams;
DROP TABLE answers;

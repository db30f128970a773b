-- +goose Up
-- A class's own questions, uploaded by its instructors as Moodle GIFT. They live here, not in
-- the content directory, so they survive restarts and go with every backup of the database.
-- Their id among all questions is "cq-" || id (the bank's ids never take that form).
CREATE TABLE class_questions (
    id          INTEGER PRIMARY KEY,
    class_id    TEXT    NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    -- What a re-upload matches on: 'id:' || Moodle's id number when the file gives one, else
    -- 'name:' || the question's name. One row per key and class: uploading the same file
    -- twice updates, it never duplicates.
    key         TEXT    NOT NULL CHECK (key GLOB 'id:?*' OR key GLOB 'name:?*'),
    name        TEXT    NOT NULL CHECK (trim(name) <> ''),
    id_number   TEXT    NOT NULL DEFAULT '',
    category    TEXT    NOT NULL DEFAULT '',
    competency  TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL CHECK (kind IN ('single', 'multiple', 'truefalse')),
    difficulty  INTEGER NOT NULL DEFAULT 2 CHECK (difficulty BETWEEN 1 AND 3),
    stem        TEXT    NOT NULL CHECK (trim(stem) <> ''),
    choices     TEXT    NOT NULL CHECK (json_valid(choices) AND json_type(choices) = 'array' AND json_array_length(choices) >= 2),
    explanation TEXT    NOT NULL DEFAULT '',
    refs        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(refs) AND json_type(refs) = 'array'),
    line        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX class_questions_key ON class_questions (class_id, key);

-- +goose Down
DROP TABLE class_questions;

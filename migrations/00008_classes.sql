-- +goose Up
-- The classroom. A class has a stable id chosen by its instructor (it appears in URLs and on the
-- command line), a title, optional sections, instructors and students. Every classroom query is
-- scoped through class_members: an instructor sees a class because a row says they teach it.
CREATE TABLE classes (
    id          TEXT    PRIMARY KEY CHECK (id <> '' AND length(id) <= 63 AND id NOT GLOB '*[^a-z0-9-]*'
                                           AND substr(id, 1, 1) <> '-'),
    title       TEXT    NOT NULL CHECK (trim(title) <> ''),
    -- The join code of the class's invite link; rotating it replaces it, so old links stop
    -- working. NULL: joining by link is off.
    invite_code TEXT    UNIQUE,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);

-- Sections of a class ("mon-am", "b"). A member's section must be one of them (or '').
CREATE TABLE class_sections (
    class_id TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    name     TEXT NOT NULL CHECK (name <> '' AND length(name) <= 63),
    PRIMARY KEY (class_id, name)
) WITHOUT ROWID;

-- Who is in a class, as what. One row per person and class: joining twice (two tabs, a double
-- click on the invite link, a roster imported twice) cannot make two.
CREATE TABLE class_members (
    class_id  TEXT    NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('instructor', 'student')),
    section   TEXT    NOT NULL DEFAULT '',
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (class_id, user_id)
) WITHOUT ROWID;
CREATE INDEX class_members_user ON class_members (user_id);

-- A section named on a member must exist in the class.
-- +goose StatementBegin
CREATE TRIGGER class_members_section_insert BEFORE INSERT ON class_members
WHEN NEW.section <> '' AND NOT EXISTS (SELECT 1 FROM class_sections WHERE class_id = NEW.class_id AND name = NEW.section)
BEGIN
    SELECT RAISE(ABORT, 'unknown section');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER class_members_section_update BEFORE UPDATE OF section ON class_members
WHEN NEW.section <> '' AND NOT EXISTS (SELECT 1 FROM class_sections WHERE class_id = NEW.class_id AND name = NEW.section)
BEGIN
    SELECT RAISE(ABORT, 'unknown section');
END;
-- +goose StatementEnd

-- Rosters carry an e-mail address; it is shown to the class's instructors, never used to send.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN email;
DROP TRIGGER class_members_section_update;
DROP TRIGGER class_members_section_insert;
DROP TABLE class_members;
DROP TABLE class_sections;
DROP TABLE classes;

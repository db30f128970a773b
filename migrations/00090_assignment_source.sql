-- +goose Up
-- Where a class exam draws its questions from: the bank ('bank', as before), the class's own
-- questions ('own'), or the class's own first and the rest from the bank ('both').
ALTER TABLE class_assignments ADD COLUMN source TEXT NOT NULL DEFAULT 'bank' CHECK (source IN ('bank', 'own', 'both'));

-- +goose Down
ALTER TABLE class_assignments DROP COLUMN source;

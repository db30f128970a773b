package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// searchHitRow is one search result.
type searchHitRow struct {
	LessonID string `db:"lesson_id"`
	Title    string `db:"title"`
	Snippet  string `db:"snippet"`
}

// IndexLessons replaces the search index with docs, in one transaction.
func (db *DB) IndexLessons(ctx context.Context, docs []domain.SearchDoc) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM lesson_search`); err != nil {
			return fmt.Errorf("clear search index: %w", err)
		}
		stmt, err := tx.PreparexContext(ctx, `INSERT INTO lesson_search (lesson_id, title, body) VALUES (?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("prepare search insert: %w", err)
		}
		defer stmt.Close()
		for _, d := range docs {
			if _, err := stmt.ExecContext(ctx, d.LessonID, d.Title, d.Body); err != nil {
				return fmt.Errorf("index lesson %s: %w", d.LessonID, err)
			}
		}
		return nil
	})
}

// SearchLessons runs a full-text search. Every word of the query must match (as a prefix),
// the title weighs more than the body, and results come best first.
func (db *DB) SearchLessons(ctx context.Context, query string, limit int) ([]domain.SearchHit, error) {
	match := ftsQuery(query)
	if match == "" {
		return nil, nil
	}
	var rows []searchHitRow
	err := db.sel(ctx, &rows, `
		SELECT lesson_id, title, snippet(lesson_search, 2, ?, ?, '…', 24) AS snippet
		FROM lesson_search WHERE lesson_search MATCH ?
		ORDER BY bm25(lesson_search, 0, 5.0, 1.0) LIMIT ?`, domain.HitStart, domain.HitEnd, match, limit)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	hits := make([]domain.SearchHit, len(rows))
	for i, r := range rows {
		hits[i] = domain.SearchHit(r)
	}
	return hits, nil
}

// ftsQuery turns what a user typed into a safe FTS5 query: each word becomes a quoted prefix
// term, so operators and quotes in the input are never interpreted.
func ftsQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	terms := make([]string, 0, len(words))
	for _, w := range words {
		if len(terms) == 12 {
			break
		}
		terms = append(terms, `"`+strings.ToLower(w)+`"*`)
	}
	return strings.Join(terms, " ")
}

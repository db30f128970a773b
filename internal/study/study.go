// Package study is the service behind lessons: a learner's lesson progress, full-text search
// over the lessons, and learners' reports of problems with questions. Handlers call it; the
// store it declares (Store) keeps the rows.
package study

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Store is what the study service keeps in the database (internal/store implements it).
// Every method that takes a userID touches only that user's rows.
type Store interface {
	SetLessonComplete(ctx context.Context, userID int64, lessonID string, done bool) error
	CompletedLessons(ctx context.Context, userID int64) (map[string]time.Time, error)
	LessonCompletedAt(ctx context.Context, userID int64, lessonID string) (time.Time, bool, error)

	IndexLessons(ctx context.Context, docs []domain.SearchDoc) error
	SearchLessons(ctx context.Context, query string, limit int) ([]domain.SearchHit, error)

	AddReport(ctx context.Context, userID int64, questionID, kind, message string) error
	Reports(ctx context.Context, f domain.ReportFilter) ([]domain.Report, error)
	ResolveReport(ctx context.Context, resolverID, id, scopeInstructor int64) error
}

// Service is the study service.
type Service struct {
	cat   *catalog.Catalog
	store Store
}

// New returns a Service for the catalog's lessons.
func New(cat *catalog.Catalog, st Store) *Service { return &Service{cat: cat, store: st} }

// SetLessonComplete marks a lesson complete (done) or not; marking twice keeps the first time.
func (s *Service) SetLessonComplete(ctx context.Context, userID int64, lessonID string, done bool) error {
	return s.store.SetLessonComplete(ctx, userID, lessonID, done)
}

// CompletedLessons returns the lessons the user completed, with when.
func (s *Service) CompletedLessons(ctx context.Context, userID int64) (map[string]time.Time, error) {
	return s.store.CompletedLessons(ctx, userID)
}

// LessonCompletedAt returns when the user completed the lesson, and false if they have not.
func (s *Service) LessonCompletedAt(ctx context.Context, userID int64, lessonID string) (time.Time, bool, error) {
	return s.store.LessonCompletedAt(ctx, userID, lessonID)
}

// IndexSearch rebuilds the lesson search index from the catalog.
func (s *Service) IndexSearch(ctx context.Context) error {
	docs := make([]domain.SearchDoc, 0, len(s.cat.Lessons))
	for _, l := range s.cat.Lessons {
		docs = append(docs, domain.SearchDoc{LessonID: l.ID, Title: l.Title, Body: l.Text})
	}
	return s.store.IndexLessons(ctx, docs)
}

// SearchLessons searches the lessons: every word must match (as a prefix), best first.
func (s *Service) SearchLessons(ctx context.Context, query string, limit int) ([]domain.SearchHit, error) {
	return s.store.SearchLessons(ctx, query, limit)
}

// AddReport stores a learner's report of a problem with a question (kind: a
// domain.ReportKinds value); the same open report is stored once.
func (s *Service) AddReport(ctx context.Context, userID int64, questionID, kind, message string) error {
	valid := false
	for _, k := range domain.ReportKinds {
		valid = valid || k.Value == kind
	}
	if !valid {
		return domain.Errorf(domain.EINVALID, "Choose what kind of problem it is.")
	}
	if len(message) > 4000 {
		return domain.Errorf(domain.EINVALID, "Please keep the description under 4000 characters.")
	}
	return s.store.AddReport(ctx, userID, questionID, kind, message)
}

// Reports lists reports, open ones first. Admins see every report; an instructor sees those
// of the students in the classes they teach (their names included), and no one else's;
// anyone else gets EFORBIDDEN.
func (s *Service) Reports(ctx context.Context, viewer *domain.User, includeResolved bool) ([]domain.Report, error) {
	scope, err := reportScope(viewer)
	if err != nil {
		return nil, err
	}
	return s.store.Reports(ctx, domain.ReportFilter{IncludeResolved: includeResolved, InstructorID: scope})
}

// ResolveReport closes an open report. Admins may close any; an instructor those they can see
// (their students'); anyone else gets EFORBIDDEN.
func (s *Service) ResolveReport(ctx context.Context, viewer *domain.User, id int64) error {
	scope, err := reportScope(viewer)
	if err != nil {
		return err
	}
	return s.store.ResolveReport(ctx, viewer.ID, id, scope)
}

// reportScope is whose reports viewer may see: 0 for all (admins), their own id for an
// instructor (their classes' students), and EFORBIDDEN for anyone else.
func reportScope(viewer *domain.User) (int64, error) {
	switch {
	case viewer == nil || viewer.Disabled:
	case viewer.Role == domain.RoleAdmin:
		return 0, nil
	case viewer.Role == domain.RoleInstructor:
		return viewer.ID, nil
	}
	return 0, domain.Errorf(domain.EFORBIDDEN, "Only instructors can see question reports.")
}

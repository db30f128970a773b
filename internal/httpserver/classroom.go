package httpserver

import (
	"context"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Classroom is the instructor-hosted classroom (classroom.Service). Each part of the
// classroom's web pages declares the methods it calls in its own interface beside its
// handlers; Classroom is their sum.
type Classroom interface {
	ClassAccess
	ClassPeople
	ClassItems
	ClassWork
}

// ClassAccess answers who may see a class.
type ClassAccess interface {
	Access(ctx context.Context, viewer *domain.User, classID string) (domain.ClassRole, error)
	Teach(ctx context.Context, viewer *domain.User, classID string) (*domain.Class, error)
}

// WithClassroom sets the classroom service (nil: no classroom pages).
func WithClassroom(c Classroom) Option { return func(s *Server) { s.classroom = c } }

// classroomRoutes are the classroom's pages for signed-in users. Each part adds its routes
// here, one line each.
func (s *Server) classroomRoutes(r chi.Router) {
	if s.classroom == nil {
		return
	}
	s.peopleRoutes(r)
	s.classItemsRoutes(r)
	s.classWorkRoutes(r)
	s.classLabRoutes(r)
}

// classroomPublicRoutes are the classroom's pages reached before signing in (an invite link,
// a set-password link). Each part adds its routes here, one line each.
func (s *Server) classroomPublicRoutes(r chi.Router) {
	if s.classroom == nil {
		return
	}
	s.peoplePublicRoutes(r)
}

// Package classroom is the instructor-hosted classroom: classes and their people, assignments,
// live class exams, the gradebook, item analysis and a class's own questions. Every method takes
// the requesting user and checks, through Access, that they may see the class: an instructor
// sees the classes they teach, a student only their own work in the classes they belong to,
// an admin every class.
package classroom

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Store is what the classroom needs from storage (store.DB). Each part of the service
// declares its own small interface beside its code; Store is their sum.
type Store interface {
	ClassStore
	PeopleStore
	QuestionStore
	ItemStore
	AssignmentStore
}

// ClassStore holds classes and memberships.
type ClassStore interface {
	CreateClass(ctx context.Context, c *domain.Class, instructorID int64) error
	ClassByID(ctx context.Context, id string) (*domain.Class, error)
	ClassesOf(ctx context.Context, userID int64) ([]*domain.Class, error)
	AllClasses(ctx context.Context) ([]*domain.Class, error)
	ClassRoleOf(ctx context.Context, classID string, userID int64) (domain.ClassRole, error)
	ClassMembers(ctx context.Context, classID string) ([]*domain.ClassMember, error)
	AddClassMember(ctx context.Context, classID string, userID int64, role domain.ClassRole, section string) error
	RemoveClassMember(ctx context.Context, classID string, userID int64) error
}

// Service is the classroom.
type Service struct {
	cat   *catalog.Catalog
	store Store
	now   func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the service's clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns the classroom service.
func New(cat *catalog.Catalog, store Store, opts ...Option) *Service {
	s := &Service{cat: cat, store: store, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// ErrNoClass is what anyone who may not see a class is told: the same answer as for a class
// that does not exist, so ids cannot be probed.
var ErrNoClass = domain.Errorf(domain.ENOTFOUND, "No such class.")

// Access returns what viewer may do in class classID: ClassInstructor for its instructors and
// for admins, ClassStudent for its students. Anyone else (a disabled account, an instructor
// whose site role was taken back to learner) gets ErrNoClass.
func (s *Service) Access(ctx context.Context, viewer *domain.User, classID string) (domain.ClassRole, error) {
	if viewer == nil || viewer.Disabled {
		return "", ErrNoClass
	}
	if viewer.Role == domain.RoleAdmin {
		if _, err := s.store.ClassByID(ctx, classID); err != nil {
			return "", err
		}
		return domain.ClassInstructor, nil
	}
	role, err := s.store.ClassRoleOf(ctx, classID, viewer.ID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && revoked(viewer, role)) {
		return "", ErrNoClass
	}
	return role, err
}

// revoked says whether a class role no longer holds: an instructor membership of a user whose
// site role was taken back to learner. The membership stays (giving the role back restores
// the classes), but it grants nothing meanwhile.
func revoked(viewer *domain.User, role domain.ClassRole) bool {
	return role == domain.ClassInstructor && viewer.Role == domain.RoleLearner
}

// Teach returns the class when viewer may teach it (an instructor of it, or an admin), and
// ErrNoClass otherwise: students of the class are told the same as strangers.
func (s *Service) Teach(ctx context.Context, viewer *domain.User, classID string) (*domain.Class, error) {
	role, err := s.Access(ctx, viewer, classID)
	if err != nil {
		return nil, err
	}
	if role != domain.ClassInstructor {
		return nil, ErrNoClass
	}
	return s.store.ClassByID(ctx, classID)
}

package classroom

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// LiveExam is an exam assignment's live view: who started, answered how many, submitted.
type LiveExam struct {
	Assignment *domain.Assignment
	Rows       []domain.LiveExamRow
	Now        time.Time
}

// Counts returns how many students started, and submitted.
func (l LiveExam) Counts() (started, submitted int) {
	for _, r := range l.Rows {
		if r.ExamID != 0 {
			started++
		}
		if !r.SubmittedAt.IsZero() {
			submitted++
		}
	}
	return started, submitted
}

func (s *Service) examAssignment(ctx context.Context, viewer *domain.User, classID string, id int64) (*domain.Assignment, error) {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return nil, err
	}
	a, err := s.store.Assignment(ctx, classID, id)
	if err != nil {
		return nil, err
	}
	if a.Kind != domain.AssignExam {
		return nil, domain.Errorf(domain.EINVALID, "This assignment is not an exam.")
	}
	return a, nil
}

// Live returns the live view of an exam assignment.
func (s *Service) Live(ctx context.Context, viewer *domain.User, classID string, id int64) (LiveExam, error) {
	a, err := s.examAssignment(ctx, viewer, classID, id)
	if err != nil {
		return LiveExam{}, err
	}
	rows, err := s.store.LiveExam(ctx, a.ID)
	return LiveExam{Assignment: a, Rows: rows, Now: s.now()}, err
}

// OpenLive opens an exam assignment now for a window of the given minutes: a live class exam.
func (s *Service) OpenLive(ctx context.Context, viewer *domain.User, classID string, id int64, minutes int) error {
	a, err := s.examAssignment(ctx, viewer, classID, id)
	if err != nil {
		return err
	}
	if minutes < 1 || minutes > 24*60 {
		return domain.Errorf(domain.EINVALID, "A live window lasts 1 to 1440 minutes.")
	}
	now := s.now()
	return s.store.OpenLiveWindow(ctx, a.ID, now, now.Add(time.Duration(minutes)*time.Minute))
}

// Accommodate gives one student of the class extra minutes on an exam assignment (0 removes
// them). An attempt in progress gets the new deadline at once.
func (s *Service) Accommodate(ctx context.Context, viewer *domain.User, classID string, id, userID int64, extra int) error {
	a, err := s.examAssignment(ctx, viewer, classID, id)
	if err != nil {
		return err
	}
	if extra < 0 || extra > 1440 {
		return domain.Errorf(domain.EINVALID, "Extra time is 0 to 1440 minutes.")
	}
	if role, err := s.store.ClassRoleOf(ctx, classID, userID); err != nil || role != domain.ClassStudent {
		return domain.Errorf(domain.ENOTFOUND, "That person is not a student of this class.")
	}
	return s.store.SetAccommodation(ctx, a.ID, userID, extra)
}

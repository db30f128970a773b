package lab

import (
	"context"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// RevealHint reveals the next hint of a task and returns how many are now revealed.
func (s *Service) RevealHint(ctx context.Context, userID int64, labID, taskID string) (int, error) {
	l, _, err := s.lab(labID)
	if err != nil {
		return 0, err
	}
	var task *catalog.LabTask
	for i := range l.Tasks {
		if l.Tasks[i].ID == taskID {
			task = &l.Tasks[i]
		}
	}
	if task == nil {
		return 0, domain.Errorf(domain.ENOTFOUND, "This lab has no task %q.", taskID)
	}
	sess, err := s.store.LabSession(ctx, userID, labID)
	if err != nil {
		return 0, domain.Errorf(domain.ECONFLICT, "Start the lab to see its hints.")
	}
	return s.store.RevealLabHint(ctx, userID, sess.ID, taskID, len(task.Hints))
}

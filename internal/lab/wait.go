package lab

import (
	"context"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Wait polls until no job runs on the user's latest session of the lab, and returns it.
func (s *Service) Wait(ctx context.Context, userID int64, labID string, onChange func(*domain.LabSession)) (*domain.LabSession, error) {
	for {
		sess, err := s.store.LabSession(ctx, userID, labID)
		if err != nil {
			return nil, err
		}
		if onChange != nil {
			onChange(sess)
		}
		if !sess.State.Busy() {
			return sess, nil
		}
		select {
		case <-ctx.Done():
			return sess, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

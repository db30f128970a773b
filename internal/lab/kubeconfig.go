package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
)

// Learners' kubeconfig files: one per session in the service's session dir, written
// atomically with mode 0600, removed when the session's environment goes.

func (s *Service) kubeconfigPath(sess *domain.LabSession) string {
	return filepath.Join(s.dir, sess.ID+".kubeconfig")
}

func (s *Service) writeKubeconfig(ctx context.Context, sess *domain.LabSession, env *backend.Env) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("session dir: %w", err)
	}
	path := s.kubeconfigPath(sess)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, env.Kubeconfig, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return s.store.SetLabKubeconfig(ctx, sess.UserID, sess.ID, path)
}

func (s *Service) removeKubeconfig(sess *domain.LabSession) {
	if err := os.Remove(s.kubeconfigPath(sess)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.logger.Warn("remove lab kubeconfig", "session", sess.ID, "error", err)
	}
}

// Kubeconfig returns the learner's kubeconfig of the running lab and its path.
func (s *Service) Kubeconfig(ctx context.Context, userID int64, labID string) (string, []byte, error) {
	sess, _, err := s.ready(ctx, userID, labID)
	if err != nil {
		return "", nil, err
	}
	data, err := os.ReadFile(sess.Kubeconfig)
	if err != nil {
		return "", nil, fmt.Errorf("read lab kubeconfig: %w", err)
	}
	_ = s.store.TouchLabSession(ctx, userID, sess.ID)
	return sess.Kubeconfig, data, nil
}

package kind

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Without Docker, kind says so in words a learner can act on, not with a raw "docker ps"
// failure (issue 14, point 9).
func TestAvailableWithoutDocker(t *testing.T) {
	b := New("test", t.TempDir())
	t.Run("no docker command", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		err := b.Available(context.Background())
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "no docker command") ||
			!strings.Contains(domain.ErrorMessage(err), "--lab-backend none") {
			t.Errorf("Available = %v", err)
		}
		// Starting a cluster gives the same message.
		if _, err := b.exists("x"); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("exists = %v", err)
		}
	})
	t.Run("engine unreachable", func(t *testing.T) {
		if _, err := exec.LookPath("docker"); err != nil {
			t.Skip("no docker CLI on this machine: the real CLI is what this case tests")
		}
		t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
		err := b.Available(context.Background())
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "cannot reach a Docker engine") {
			t.Errorf("Available = %v", err)
		}
	})
}

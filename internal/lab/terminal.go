package lab

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
)

// ToolboxImage is the toolbox image the nodes have (toolbox.Builder).
type ToolboxImage interface {
	Ref(ctx context.Context) (string, error)
}

// WithToolbox enables the learner's toolbox (terminal and exec) with the image img.
func WithToolbox(img ToolboxImage) Option { return func(s *Service) { s.terminals.image = img } }

// terminals is the service's toolbox state: the image, and the open terminal of each learner's
// lab (one at a time: opening another closes the first).
type terminals struct {
	image ToolboxImage
	mu    sync.Mutex
	open  map[string]*openTerminal
}

type openTerminal struct{ cancel context.CancelCauseFunc }

// ErrTerminalReplaced ends a terminal the learner opened again elsewhere (another tab, a reload).
var ErrTerminalReplaced = domain.Errorf(domain.ECONFLICT, "This terminal was opened in another window; reconnect to use it here.")

// HasToolbox says whether learners get a toolbox (terminal, exec).
func (s *Service) HasToolbox() bool { return s.terminals.image != nil }

// toolboxFor makes sure the toolbox of the user's ready lab runs, and returns where it is.
func (s *Service) toolboxFor(ctx context.Context, userID int64, labID string) (func(context.Context, []string, toolbox.Streams) error, error) {
	if s.terminals.image == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "This server has no lab toolbox (no kubectl or busybox to build it from).")
	}
	sess, b, err := s.ready(ctx, userID, labID)
	if err != nil {
		return nil, err
	}
	env, err := s.attach(ctx, sess, b)
	if err != nil {
		return nil, err
	}
	if err := s.ensureToolbox(ctx, env); err != nil {
		return nil, err
	}
	_ = s.store.TouchLabSession(ctx, userID, sess.ID)
	return func(ctx context.Context, cmd []string, st toolbox.Streams) error {
		return toolbox.Exec(ctx, env.Client, env.Namespace, cmd, st)
	}, nil
}

// ensureToolbox makes sure the toolbox Pod of env's namespace runs, as the learner.
func (s *Service) ensureToolbox(ctx context.Context, env *backend.Env) error {
	img, err := s.terminals.image.Ref(ctx)
	if err != nil {
		return fmt.Errorf("toolbox image: %w", err)
	}
	id := toolbox.Identity{ServiceAccount: env.LearnerAccount}
	if id.ServiceAccount == "" {
		id = toolbox.Identity{ServiceAccount: toolbox.AdminAccount, ClusterAdmin: true}
	}
	_, err = toolbox.Ensure(ctx, env.Client, env.Namespace, img, id)
	return err
}

// Exec runs argv in the user's toolbox of the lab (started if needed), from their home
// directory, as they would type it in the terminal. A non-zero exit is a *toolbox.ExitError.
func (s *Service) Exec(ctx context.Context, userID int64, labID string, argv []string, st toolbox.Streams) error {
	if len(argv) == 0 {
		return domain.Errorf(domain.EINVALID, "Say which command to run.")
	}
	run, err := s.toolboxFor(ctx, userID, labID)
	if err != nil {
		return err
	}
	return run(ctx, toolbox.Command(argv...), st)
}

// Terminal runs an interactive login shell in the user's toolbox of the lab, on a TTY, until
// ctx ends, the shell exits, or the learner opens the lab's terminal again (then this one ends
// with ErrTerminalReplaced). Each call starts a new shell in the same Pod: files in the home
// directory survive a reconnect.
func (s *Service) Terminal(ctx context.Context, userID int64, labID string, st toolbox.Streams) error {
	run, err := s.toolboxFor(ctx, userID, labID)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	key := strconv.FormatInt(userID, 10) + "/" + labID
	me := &openTerminal{cancel: cancel}
	s.terminals.mu.Lock()
	if s.terminals.open == nil {
		s.terminals.open = map[string]*openTerminal{}
	}
	if prev := s.terminals.open[key]; prev != nil {
		prev.cancel(ErrTerminalReplaced)
	}
	s.terminals.open[key] = me
	s.terminals.mu.Unlock()
	defer func() {
		s.terminals.mu.Lock()
		if s.terminals.open[key] == me {
			delete(s.terminals.open, key)
		}
		s.terminals.mu.Unlock()
	}()
	st.TTY = true
	err = run(ctx, toolbox.Shell, st)
	if cause := context.Cause(ctx); errors.Is(cause, ErrTerminalReplaced) {
		return ErrTerminalReplaced
	}
	return err
}

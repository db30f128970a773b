package kind

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"
)

// kindLogger sends kind's messages to slog: progress at debug level, warnings (such as its
// cgroup v1 deprecation notice, printed at every create) at info, errors at error.
type kindLogger struct{ l *slog.Logger }

func (k kindLogger) Warn(m string)                            { k.l.Info("kind: " + m) }
func (k kindLogger) Warnf(f string, a ...any)                 { k.l.Info("kind: " + fmt.Sprintf(f, a...)) }
func (k kindLogger) Error(m string)                           { k.l.Error("kind: " + m) }
func (k kindLogger) Errorf(f string, a ...any)                { k.l.Error("kind: " + fmt.Sprintf(f, a...)) }
func (k kindLogger) V(level kindlog.Level) kindlog.InfoLogger { return kindInfo(k) }

type kindInfo struct{ l *slog.Logger }

func (k kindInfo) Info(m string) { k.l.Debug("kind: " + strings.TrimSpace(m)) }

func (k kindInfo) Infof(f string, a ...any) {
	k.l.Debug("kind: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (k kindInfo) Enabled() bool { return k.l.Enabled(context.Background(), slog.LevelDebug) }

package toolbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
	"k8s.io/streaming/pkg/httpstream"
)

// Streams are a command's input and output. With TTY, Stderr is unused (a terminal merges
// them) and Sizes, if set, tells the terminal's size as it changes.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	TTY            bool
	Sizes          remotecommand.TerminalSizeQueue
}

// ExitError is a command that ran and exited with a non-zero status.
type ExitError struct{ Status int }

func (e *ExitError) Error() string { return fmt.Sprintf("command exited with status %d", e.Status) }

// Exec runs cmd in the toolbox Pod of ns through the API server's exec (WebSocket, falling
// back to SPDY for older API servers) and returns when it ends. A non-zero exit is an
// *ExitError.
func Exec(ctx context.Context, c *kube.Client, ns string, cmd []string, s Streams) error {
	if s.Stdin == nil {
		// With no stdin stream, client-go's WebSocket executor can take the exit status before
		// the output and close the connection under it (the command "succeeds" with no output):
		// an empty stdin keeps the streams in step.
		s.Stdin = strings.NewReader("")
	}
	cfg := rest.CopyConfig(c.Config)
	cfg.Timeout = 0 // a shell lasts as long as the learner types; ctx bounds it
	req := c.Typed.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(PodName).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "shell", Command: cmd, Stdin: s.Stdin != nil,
			Stdout: s.Stdout != nil, Stderr: s.Stderr != nil && !s.TTY, TTY: s.TTY}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
	if err != nil {
		return fmt.Errorf("exec into toolbox: %w", err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		return fmt.Errorf("exec into toolbox: %w", err)
	}
	exe, err := remotecommand.NewFallbackExecutor(ws, spdy, httpstream.IsUpgradeFailure)
	if err != nil {
		return fmt.Errorf("exec into toolbox: %w", err)
	}
	opts := remotecommand.StreamOptions{Stdin: s.Stdin, Stdout: s.Stdout, Tty: s.TTY, TerminalSizeQueue: s.Sizes}
	if !s.TTY {
		opts.Stderr = s.Stderr
	}
	err = exe.StreamWithContext(ctx, opts)
	var ee utilexec.CodeExitError
	if errors.As(err, &ee) {
		return &ExitError{Status: ee.Code}
	}
	if err != nil {
		return fmt.Errorf("exec into toolbox: %w", err)
	}
	return nil
}

// Command wraps argv so it runs from the learner's home with their profile's environment.
func Command(argv ...string) []string {
	return append([]string{"/bin/sh", "-c", `cd "$HOME" && exec "$@"`, "sh"}, argv...)
}

// Shell is the interactive login shell the terminal runs.
var Shell = []string{"/bin/sh", "-l"}

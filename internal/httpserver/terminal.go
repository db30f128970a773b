package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
	"k8s.io/client-go/tools/remotecommand"
)

// TerminalService is what the browser terminal needs from the lab engine (lab.Service): a
// shell in the learner's toolbox Pod, run through the cluster's API server.
type TerminalService interface {
	HasToolbox() bool
	Terminal(ctx context.Context, userID int64, labID string, st toolbox.Streams) error
}

// Terminal WebSocket close codes (4000-4999 are the application's); the page shows the reason
// and offers to reconnect instead of retrying by itself.
const (
	closeIdle    = 4002 // nothing typed for terminalIdle
	closeRefused = 4003 // the lab is not ready, has no toolbox, or its terminal was opened elsewhere
)

// terminalIdle closes a terminal nobody typed in for this long (the shell's files stay).
var terminalIdle = 30 * time.Minute

// terminalMessage is a text frame from the page: the terminal's size.
type terminalMessage struct {
	Type string `json:"type"` // "resize"
	Cols uint16 `json:"cols"`
	Rows uint16 `json:"rows"`
}

// sizeQueue hands terminal sizes to remotecommand, newest first, until the connection ends.
type sizeQueue struct {
	ch   chan remotecommand.TerminalSize
	done <-chan struct{}
}

func (q sizeQueue) Next() *remotecommand.TerminalSize {
	select {
	case s := <-q.ch:
		return &s
	case <-q.done:
		return nil
	}
}

func (q sizeQueue) push(s remotecommand.TerminalSize) {
	for {
		select {
		case q.ch <- s:
			return
		default: // drop a stale size: only the latest matters
			select {
			case <-q.ch:
			default:
			}
		}
	}
}

// wsWriter sends the shell's output as binary frames.
type wsWriter struct {
	ctx  context.Context
	conn *websocket.Conn
	mu   sync.Mutex
}

func (w *wsWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.conn.Write(w.ctx, websocket.MessageBinary, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// handleLabTerminal attaches a WebSocket to a login shell in the learner's toolbox. The
// learner is the signed-in user (the middleware); the lab session is theirs (the service
// looks it up by user); the Origin must be this server's (websocket.Accept refuses others).
func (s *Server) handleLabTerminal(w http.ResponseWriter, r *http.Request) {
	l, err := s.runnableLab(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ts, ok := s.labs.(TerminalService)
	if !ok || !ts.HasToolbox() {
		s.Error(w, r, domain.Errorf(domain.EUNAVAILABLE, "This server has no lab terminal."))
		return
	}
	conn, err := websocket.Accept(w, r, nil) // same-origin only: a cross-site page cannot attach
	if err != nil {
		s.logger.Debug("terminal websocket refused", "error", err)
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 10)
	uid := user(r).ID
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	stdinR, stdinW := io.Pipe()
	sizes := sizeQueue{ch: make(chan remotecommand.TerminalSize, 1), done: ctx.Done()}
	var idle sync.Mutex
	lastInput := time.Now()
	var closeCode websocket.StatusCode
	var closeReason string
	var once sync.Once
	closeWith := func(code websocket.StatusCode, reason string) {
		once.Do(func() { closeCode, closeReason = code, reason })
		cancel()
	}
	// Reader: keystrokes to the shell, sizes to the queue.
	go func() {
		defer stdinW.Close()
		for {
			typ, data, err := conn.Read(ctx)
			if err != nil {
				cancel()
				return
			}
			if typ == websocket.MessageText {
				var m terminalMessage
				if json.Unmarshal(data, &m) == nil && m.Type == "resize" && m.Cols > 0 && m.Rows > 0 {
					sizes.push(remotecommand.TerminalSize{Width: m.Cols, Height: m.Rows})
				}
				continue
			}
			idle.Lock()
			lastInput = time.Now()
			idle.Unlock()
			if _, err := stdinW.Write(data); err != nil {
				return
			}
		}
	}()
	// Idle close; typing also keeps the lab from expiring.
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				idle.Lock()
				since := time.Since(lastInput)
				idle.Unlock()
				if since > terminalIdle {
					closeWith(closeIdle, "Closed after "+terminalIdle.String()+" without typing; your files are kept.")
					return
				}
				if since < time.Minute {
					_ = s.labs.Touch(ctx, uid, l.ID)
				}
			}
		}
	}()
	status := func(msg string) {
		b, _ := json.Marshal(map[string]string{"type": "status", "message": msg})
		_ = conn.Write(ctx, websocket.MessageText, b)
	}
	status("Starting your toolbox…")
	out := &wsWriter{ctx: ctx, conn: conn}
	err = ts.Terminal(ctx, uid, l.ID, toolbox.Streams{Stdin: stdinR, Stdout: out, TTY: true, Sizes: sizes})
	_ = stdinR.Close()
	switch {
	case err != nil && domain.ErrorCode(err) != domain.EINTERNAL:
		closeWith(closeRefused, domain.ErrorMessage(err))
	case err != nil && r.Context().Err() == nil && closeCode == 0:
		s.logger.Warn("lab terminal", "lab", l.ID, "user", uid, "error", err)
		closeWith(websocket.StatusInternalError, "The terminal failed; reconnect to try again.")
	case err == nil:
		closeWith(websocket.StatusNormalClosure, "The shell exited.")
	}
	code, reason := closeCode, closeReason
	if code == 0 {
		code, reason = websocket.StatusGoingAway, ""
	}
	_ = conn.Close(code, truncate(reason, 120))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// kubeconfigUsable says whether a kubeconfig handed to this request's browser can reach the
// lab: the existing-cluster backend's can (its API server is the classroom's), a kind
// cluster's only from this host (its API server listens on the host's loopback).
func (s *Server) kubeconfigUsable(r *http.Request) bool {
	if s.labs == nil || s.labs.Backend() == "kubeconfig" {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// styleNonce is a fresh nonce for the lab page's styles: xterm.js adds <style> elements, which
// the policy admits only with this nonce (scripts stay 'self' only).
func styleNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

// Package serverproc builds and runs kcnaprep's server as a separate process on loopback, for
// the load and page benchmarks (cmd/examload, cmd/pagebench): what they measure is the real
// binary, started, killed and restarted like in production.
package serverproc

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Build compiles ./cmd/server (run from the repository root) into dir with extra go build
// flags and returns the binary's path.
func Build(dir string, flags ...string) (string, error) {
	bin := filepath.Join(dir, "server")
	args := append(append([]string{"build"}, flags...), "-o", bin, "./cmd/server")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the server: %v\n%s", err, out)
	}
	return bin, nil
}

// FreeAddr returns a loopback address whose port is free now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Proc is a running server.
type Proc struct {
	Cmd   *exec.Cmd
	Ready time.Duration // from starting the process to /readyz answering 200
	done  chan struct{}
	err   error // the process's exit, once done is closed
}

// Start runs bin with --addr addr and args, its stderr on ours, and waits until /readyz
// answers 200, polling every poll. It fails if the process exits first or is not ready
// within timeout.
func Start(bin, addr string, args []string, poll, timeout time.Duration) (*Proc, error) {
	cmd := exec.Command(bin, append([]string{"--addr", addr}, args...)...)
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	url := "http://" + addr + "/readyz"
	for {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.Ready = time.Since(t0)
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("the server exited before it was ready: %v", p.err)
		case <-time.After(poll):
		}
		if time.Since(t0) > timeout {
			_ = p.Stop(os.Kill)
			return nil, fmt.Errorf("the server was not ready after %s", timeout)
		}
	}
}

// Pid is the server's process id.
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }

// Stop sends sig (os.Interrupt for a graceful shutdown, os.Kill for a crash) and waits for
// the process to end. A process that already ended is not an error.
func (p *Proc) Stop(sig os.Signal) error {
	if err := p.Cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal the server: %w", err)
	}
	<-p.done
	return nil
}

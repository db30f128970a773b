package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

// Without accounts, the server refuses a non-loopback address unless told to allow it, and
// says how to add an account (issue 14, point 10).
func TestOpenSingleLearnerModeNeedsAFlag(t *testing.T) {
	content := testcontent.Write(t, nil)
	env := []string{"KCNAPREP_DATA_DIR=" + t.TempDir(), "KCNAPREP_CONTENT_DIR=" + content, "KCNAPREP_LAB_BACKEND=none", "KCNAPREP_LOG_FORMAT=json"}
	// A server that starts instead of refusing would run until the context ends it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refused := exec.CommandContext(ctx, serverBin, "serve", "--addr", "0.0.0.0:0")
	refused.Env = append(os.Environ(), env...)
	out, err := refused.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || ctx.Err() != nil ||
		!strings.Contains(string(out), "server user add NAME") || !strings.Contains(string(out), "--allow-open-single-learner") {
		t.Fatalf("single-learner on 0.0.0.0 was not refused (%v):\n%s", err, out)
	}
	// With the flag it starts, and warns.
	cmd := exec.Command(serverBin, "serve", "--addr", "0.0.0.0:0", "--allow-open-single-learner")
	cmd.Env = append(os.Environ(), env...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	found := make(chan [2]bool, 1)
	go func() {
		var warned bool
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			warned = warned || strings.Contains(sc.Text(), "single-learner mode on a non-loopback address")
			if regexp.MustCompile(`"msg":"listening"`).MatchString(sc.Text()) {
				found <- [2]bool{true, warned}
				return
			}
		}
		found <- [2]bool{false, warned}
	}()
	select {
	case f := <-found:
		if !f[0] || !f[1] {
			t.Errorf("with the flag: listening=%v warned=%v", f[0], f[1])
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("server did not start with --allow-open-single-learner")
	}
}

// The profiler is served on loopback only: another address is refused before anything is
// served, and on loopback the index answers.
func TestDebugAddrLoopbackOnly(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, stop, err := serveDebug("0.0.0.0:0", logger); err == nil {
		stop()
		t.Fatal("serveDebug on 0.0.0.0 was accepted")
	} else if !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("error %q does not say why", err)
	}
	addr, stop, err := serveDebug("127.0.0.1:0", logger)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("profiler index: %d %.200s", resp.StatusCode, body)
	}
}

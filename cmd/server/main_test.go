package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kcnaprep-bin")
	if err != nil {
		panic(err)
	}
	serverBin = filepath.Join(dir, "server")
	out, err := exec.Command("go", "build", "-o", serverBin, ".").CombinedOutput()
	if err != nil {
		panic("build server: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runBin(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(serverBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func brokenContent(t *testing.T) string {
	return testcontent.Write(t, map[string]string{
		"quizzes/alpha/one.yaml":    strings.Replace(testcontent.Questions("alpha", "one", "al-one", 1, 3, ""), "type: single", "type: multiple", 1),
		"content/beta/02-fourth.md": strings.Replace(testcontent.Lesson("Fourth", "two", ""), "minutes: 5", "minutes: 500", 1),
	})
}

func TestContentCheckReportsFileAndLine(t *testing.T) {
	out, errOut, code := runBin(t, nil, "content", "check", testcontent.Write(t, nil))
	if code != 0 || !strings.Contains(out, "content ok: 2 domains, 4 lessons, 10 questions") {
		t.Fatalf("valid content: code %d\n%s%s", code, out, errOut)
	}
	_, errOut, code = runBin(t, nil, "content", "check", brokenContent(t))
	if code != 1 {
		t.Fatalf("broken content: exit %d, want 1", code)
	}
	for _, want := range []string{
		"quizzes/alpha/one.yaml:8: al-one-001: type multiple needs at least two correct choices, has 1",
		"content/beta/02-fourth.md:4: front matter: minutes must be 3 to 45, got 500",
		"2 problem(s)",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("missing %q in:\n%s", want, errOut)
		}
	}
}

func TestServerRefusesInvalidContent(t *testing.T) {
	_, errOut, code := runBin(t, nil, "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--content-dir", brokenContent(t))
	if code != 1 || !strings.Contains(errOut, "content/beta/02-fourth.md:4: front matter: minutes must be 3 to 45") ||
		!strings.Contains(errOut, "the server will not start on invalid content") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

func TestContentStats(t *testing.T) {
	out, errOut, code := runBin(t, nil, "content", "stats", testcontent.Write(t, nil))
	if code != 0 || !regexp.MustCompile(`alpha\s+60%\s+6\s+60\.0%`).MatchString(out) || !strings.Contains(out, "multiple 0 (0.0%)") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// TestServeAndGracefulShutdown starts the real binary configured only by environment
// variables, waits until it is ready, sends SIGTERM and expects a clean exit.
func TestServeAndGracefulShutdown(t *testing.T) {
	data := t.TempDir()
	cmd := exec.Command(serverBin)
	cmd.Env = append(os.Environ(), "KCNAPREP_ADDR=127.0.0.1:0", "KCNAPREP_DATA_DIR="+data,
		"KCNAPREP_CONTENT_DIR="+testcontent.Write(t, nil), "KCNAPREP_LOG_FORMAT=json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addr := make(chan string, 1)
	var logs bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`"addr":"(http://127\.0\.0\.1:\d+)"`)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatal("server did not report its address")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(b) == "ready\n" {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("never ready")
		case <-time.After(50 * time.Millisecond):
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("dashboard: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(data, "kcnaprep.db")); err != nil {
		t.Errorf("database not created in data dir: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	<-done
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"stopped"`, `"msg":"request"`, `"request_id":`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
	// Background work (exam submitter, session sweeper, lab reconciler) stops at once when
	// cancelled: a clean shutdown waits for it and has nothing to warn about.
	if strings.Contains(logs.String(), "still running at the shutdown timeout") {
		t.Errorf("a clean shutdown did not wait for its background work:\n%s", logs.String())
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	env := map[string]string{"KCNAPREP_ADDR": "127.0.0.1:9999", "KCNAPREP_DATA_DIR": "/env/data", "KCNAPREP_CONTENT_DIR": "/env/content", "HOME": "/home/x"}
	getenv := func(k string) string { return env[k] }
	f, err := parseServeFlags("serve", []string{"--addr", "127.0.0.1:1234"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if f.cfg.Addr != "127.0.0.1:1234" || f.cfg.DataDir != "/env/data" || f.cfg.ContentDir != "/env/content" {
		t.Errorf("cfg = %+v", f.cfg)
	}
	f, _ = parseServeFlags("serve", nil, func(k string) string { return map[string]string{"HOME": "/home/x"}[k] }, io.Discard)
	if f.cfg.Addr != "127.0.0.1:8080" || f.cfg.DataDir != "/home/x/.local/share/kcnaprep" || f.cfg.ContentDir != "" {
		t.Errorf("defaults = %+v", f.cfg)
	}
	if _, err := parseServeFlags("serve", []string{"--nope"}, getenv, io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
}

// TestSecureCookiesEnvironment: KCNAPREP_SECURE_COOKIES takes the usual spellings of true and
// false, and anything else is a clear error rather than a silent "false".
func TestSecureCookiesEnvironment(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "TRUE": true, "t": true, "True": true,
		"0": false, "false": false, "FALSE": false, "f": false, "": false} {
		getenv := func(k string) string {
			return map[string]string{"HOME": "/home/x", "KCNAPREP_SECURE_COOKIES": v}[k]
		}
		f, err := parseServeFlags("serve", nil, getenv, io.Discard)
		if err != nil || f.cfg.SecureCookies != want {
			t.Errorf("KCNAPREP_SECURE_COOKIES=%q: secure %v, %v; want %v", v, f.cfg.SecureCookies, err, want)
		}
	}
	getenv := func(k string) string {
		return map[string]string{"HOME": "/home/x", "KCNAPREP_SECURE_COOKIES": "yes please"}[k]
	}
	_, err := parseServeFlags("serve", nil, getenv, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "KCNAPREP_SECURE_COOKIES") || !strings.Contains(err.Error(), "true or false") {
		t.Errorf("KCNAPREP_SECURE_COOKIES=yes please: %v, want an error naming the variable and the choices", err)
	}
}

func TestUserCommands(t *testing.T) {
	data := t.TempDir()
	env := []string{"KCNAPREP_DATA_DIR=" + data}
	cmd := exec.Command(serverBin, "user", "add", "alice", "--role", "instructor", "--name", "Alice A")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("short\n")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "at least 10 characters") {
		t.Fatalf("short password accepted: %v %s", err, out)
	}
	cmd = exec.Command(serverBin, "user", "add", "alice", "--role", "instructor", "--name", "Alice A")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("a long enough secret\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	out, _, code := runBin(t, env, "user", "list")
	if code != 0 || !strings.Contains(out, "alice") || !strings.Contains(out, "instructor") || !strings.Contains(out, "Alice A") {
		t.Errorf("user list (%d):\n%s", code, out)
	}
	cmd = exec.Command(serverBin, "user", "add", "alice")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("a long enough secret\n")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "taken") {
		t.Errorf("duplicate user: %v %s", err, out)
	}
}

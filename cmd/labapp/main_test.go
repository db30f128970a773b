package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestServerEndpoints(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "greeting"), []byte("hi from a ConfigMap"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LABAPP_TEST_VAR", "value-1")
	s := &server{getenv: env(map[string]string{"MESSAGE": "v2"}), started: time.Now(), configDir: dir, host: "pod-a",
		readyAfter: time.Hour}
	h := s.routes()
	cases := []struct {
		path string
		code int
		body string
	}{
		{"/", 200, "hello from pod-a (labapp " + Version + ") v2\n"},
		{"/healthz", 200, "ok\n"},
		{"/readyz", 503, "warming up\n"},
		{"/version", 200, Version + "\n"},
		{"/hostname", 200, "pod-a\n"},
		{"/env/LABAPP_TEST_VAR", 200, "value-1\n"},
		{"/env/LABAPP_UNSET_VAR", 404, "not set\n"},
		{"/files/greeting", 200, "hi from a ConfigMap"},
		{"/files/..%2F..%2Fetc%2Fpasswd", 404, "no such file\n"},
		{"/nope", 404, ""},
	}
	for _, c := range cases {
		code, body := get(t, h, c.path)
		if code != c.code || (c.body != "" && body != c.body) {
			t.Errorf("GET %s = %d %q, want %d %q", c.path, code, body, c.code, c.body)
		}
	}
	s.readyAfter = 0
	s.readyFile = filepath.Join(dir, "ready")
	if code, _ := get(t, h, "/readyz"); code != 503 {
		t.Errorf("readyz without READY_FILE = %d", code)
	}
	if err := os.WriteFile(s.readyFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, h, "/readyz"); code != 200 {
		t.Errorf("readyz with READY_FILE = %d", code)
	}
	s.failAfter = time.Nanosecond
	if code, _ := get(t, h, "/healthz"); code != 500 {
		t.Errorf("healthz after FAIL_AFTER = %d", code)
	}
}

func TestServeRequiresEnvAndFiles(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"labapp"}, env(map[string]string{"REQUIRE_ENV": "DB_URL, CACHE"}), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "required environment variable DB_URL is not set") {
		t.Errorf("code %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	code = run(context.Background(), []string{"labapp", "serve"}, env(map[string]string{"REQUIRE_FILE": "/nonexistent/x"}), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "required file /nonexistent/x is missing") {
		t.Errorf("code %d, stderr %q", code, errOut.String())
	}
}

func TestModes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"labapp", "sleep"}, env(nil), &out, &errOut); code != 0 {
		t.Errorf("sleep after SIGTERM: %d", code)
	}
	if code := run(context.Background(), []string{"/bin/labapp", "crash", "boom"}, env(map[string]string{"CRASH_CODE": "3"}), &out, &errOut); code != 3 || !strings.Contains(errOut.String(), "boom") {
		t.Errorf("crash: %d %q", code, errOut.String())
	}
	if code := run(context.Background(), []string{"labapp", "version"}, env(nil), &out, io.Discard); code != 0 || !strings.Contains(out.String(), Version) {
		t.Errorf("version: %d %q", code, out.String())
	}
	if code := run(context.Background(), []string{"labapp", "dance"}, env(nil), io.Discard, io.Discard); code != 2 {
		t.Errorf("unknown mode: %d", code)
	}
}

func TestProbe(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("fine")) }))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusServiceUnavailable) }))
	defer bad.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"probe", "--once", ok.URL + "/"}, 0, "OK " + ok.URL + "/: HTTP 200: fine"},
		{[]string{"probe", "--once", bad.URL}, 1, "HTTP 503: no"},
		{[]string{"probe", "--once", "tcp://" + strings.TrimPrefix(ok.URL, "http://")}, 0, "connected"},
		{[]string{"probe", "--once", "--timeout", "1s", "tcp://" + closed}, 1, "FAIL"},
		{[]string{"probe", "--once", "ftp://x"}, 1, "must start with"},
		{[]string{"probe", "--once", "--retry-for", "1500ms", "--timeout", "200ms", "tcp://" + closed}, 1, "FAIL tcp://" + closed},
		{[]string{"probe"}, 2, ""},
	}
	for _, c := range cases {
		var out bytes.Buffer
		// Called through a link named "probe": the multi-call form.
		code := run(context.Background(), append([]string{"/usr/bin/probe"}, c.args[1:]...), env(nil), &out, io.Discard)
		if code != c.code || !strings.Contains(out.String(), c.out) {
			t.Errorf("%v: code %d out %q, want %d %q", c.args, code, out.String(), c.code, c.out)
		}
	}
}

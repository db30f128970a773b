package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

func TestLabCommandUsage(t *testing.T) {
	env := []string{"KCNAPREP_DATA_DIR=" + t.TempDir(), "KCNAPREP_CONTENT_DIR=" + testcontent.RepoTree(t), "KCNAPREP_LAB_BACKEND=none"}
	_, errOut, code := runBin(t, env, "lab")
	if code != 1 || !strings.Contains(errOut, "usage: server lab COMMAND") {
		t.Errorf("no command: %d %q", code, errOut)
	}
	_, errOut, code = runBin(t, env, "lab", "start")
	if code != 1 || !strings.Contains(errOut, "usage: server lab") {
		t.Errorf("no id: %d %q", code, errOut)
	}
	// The lab commands use an existing database only (a mistyped --data-dir is an error).
	if _, errOut, code := runBin(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	out, errOut, code := runBin(t, env, "lab", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^node-scheduling\s+kubernetes-fundamentals\s+cluster\s+20\s+-\s+Node labels`).MatchString(out) {
		t.Errorf("list: %d\n%s%s", code, out, errOut)
	}
	_, errOut, code = runBin(t, env, "lab", "start", "hpa")
	if code != 1 || !strings.Contains(errOut, "labs are disabled") {
		t.Errorf("start with backend none: %d %q", code, errOut)
	}
	for args, want := range map[[2]string]string{
		{"warm", "x"}: `lab pool warm "x": give the number`,
		{"drain", ""}: "usage: lab pool [warm N]",
		{"warm", "2"}: "labs are disabled",
	} {
		cmd := []string{"lab", "pool", args[0]}
		if args[1] != "" {
			cmd = append(cmd, args[1])
		}
		if _, errOut, code := runBin(t, env, cmd...); code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("%v: %d %q, want %q", cmd, code, errOut, want)
		}
	}
}

// TestIntegrationLabCommand drives a lab from the terminal on a real kind cluster: start prints
// the export line, check exits 1 until the solution ran and 0 after, reset brings the failure
// back, stop deletes the cluster.
func TestIntegrationLabCommand(t *testing.T) {
	labtest.RequireKind(t)
	content := testcontent.RepoTree(t)
	data := t.TempDir()
	env := []string{"KCNAPREP_DATA_DIR=" + data, "KCNAPREP_CONTENT_DIR=" + content,
		"KCNAPREP_KIND_NODE_IMAGE=" + labtest.NodeImage()}
	t.Cleanup(func() { // the clusters this test made, whatever happened
		files, _ := filepath.Glob(filepath.Join(data, "labs", "clusters", "*.kubeconfig"))
		for _, f := range files {
			_ = exec.Command("kind", "delete", "cluster", "--name", strings.TrimSuffix(filepath.Base(f), ".kubeconfig")).Run()
		}
	})
	_, errOut, code := runBin(t, env, "lab", "start", "nope")
	if code != 1 || !strings.Contains(errOut, `There is no lab "nope".`) {
		t.Errorf("unknown lab: %d %q", code, errOut)
	}
	out, errOut, code := runBin(t, env, "lab", "start", "hpa")
	m := regexp.MustCompile(`^export KUBECONFIG=(\S+)\n$`).FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(errOut, "Create kind cluster") {
		t.Fatalf("start: %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	kubeconfig := m[1]
	ours, _ := filepath.Glob(filepath.Join(data, "labs", "clusters", "*.kubeconfig"))
	if len(ours) != 1 {
		t.Fatalf("cluster kubeconfigs in the data dir: %v", ours)
	}
	cluster := strings.TrimSuffix(filepath.Base(ours[0]), ".kubeconfig")
	if !strings.HasPrefix(kubeconfig, data) {
		t.Errorf("kubeconfig %s outside the data dir", kubeconfig)
	}
	if home, _ := os.UserHomeDir(); home != "" {
		if b, err := os.ReadFile(filepath.Join(home, ".kube", "config")); err == nil && strings.Contains(string(b), "kcnaprep-") {
			t.Error("the lab cluster was written into ~/.kube/config")
		}
	}
	out, _, code = runBin(t, env, "lab", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^hpa\s+\S+\s+namespace\s+\d+\s+ready\s`).MatchString(out) {
		t.Errorf("list while running:\n%s", out)
	}
	out, _, code = runBin(t, env, "lab", "check", "hpa")
	if code != 1 || !strings.Contains(out, "FAIL  hpa/hpa:") || !strings.Contains(out, "0 of 1 checks pass") {
		t.Errorf("check before: %d\n%s", code, out)
	}
	solution, err := os.ReadFile(filepath.Join(content, "labs", "hpa", "solution.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := labtest.RunScript(context.Background(), solution, kubeconfig, t.TempDir()); err != nil {
		t.Fatalf("solution: %v\n%s", err, out)
	}
	out, _, code = runBin(t, env, "lab", "check", "hpa")
	if code != 0 || !strings.Contains(out, "PASS  hpa/hpa:") || !strings.Contains(out, "1 of 1 checks pass") {
		t.Errorf("check after: %d\n%s", code, out)
	}
	if _, errOut, code = runBin(t, env, "lab", "reset", "hpa"); code != 0 {
		t.Fatalf("reset: %d %s", code, errOut)
	}
	if out, _, code = runBin(t, env, "lab", "check", "hpa"); code != 1 {
		t.Errorf("check after reset: %d\n%s", code, out)
	}
	if _, errOut, code = runBin(t, env, "lab", "stop", "hpa"); code != 0 {
		t.Fatalf("stop: %d %s", code, errOut)
	}
	clusters, err := exec.Command("kind", "get", "clusters").Output()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(strings.Fields(string(clusters)), cluster) {
		t.Errorf("cluster %s still there after stop", cluster)
	}
	if _, err := os.Stat(kubeconfig); !os.IsNotExist(err) {
		t.Errorf("learner kubeconfig left behind: %v", err)
	}
}

// "lab pool warm N --at TIME" records a pre-warm for the running server (no Docker needed to
// record it); running it again for the same time changes N instead of adding one; "lab pool"
// lists it.
func TestLabPoolWarmAt(t *testing.T) {
	env := []string{"KCNAPREP_DATA_DIR=" + t.TempDir(), "KCNAPREP_CONTENT_DIR=" + testcontent.RepoTree(t), "KCNAPREP_LAB_BACKEND=kind"}
	if _, errOut, code := runBin(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	at := time.Now().Add(30 * time.Hour).Format("2006-01-02T15:04")
	for _, n := range []string{"4", "6"} {
		if _, errOut, code := runBin(t, env, "lab", "pool", "warm", n, "--at", at); code != 0 || !strings.Contains(errOut, n+" environments will be ready at") {
			t.Fatalf("warm %s --at %s: %d %q", n, at, code, errOut)
		}
	}
	out, errOut, code := runBin(t, env, "lab", "pool")
	rows := regexp.MustCompile(`(?m)^\S+\s+(\d+)\s+scheduled\b`).FindAllStringSubmatch(out, -1)
	if code != 0 || len(rows) != 1 || rows[0][1] != "6" {
		t.Errorf("lab pool after two schedules for one time: %d\n%s%s", code, out, errOut)
	}
	for _, bad := range [][]string{{"warm", "2", "--at", "soon"}, {"warm", "2", "--at", "2001-01-01T09:00"}, {"--at", "09:00"}} {
		if _, errOut, code := runBin(t, env, append([]string{"lab", "pool"}, bad...)...); code != 1 || errOut == "" {
			t.Errorf("lab pool %v: %d %q", bad, code, errOut)
		}
	}
}

func TestParseWhen(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	now := time.Date(2026, 3, 2, 10, 30, 0, 0, loc)
	for in, want := range map[string]time.Time{
		"11:00":                time.Date(2026, 3, 2, 11, 0, 0, 0, loc),
		"09:00":                time.Date(2026, 3, 3, 9, 0, 0, 0, loc), // passed today: tomorrow
		"2026-03-05T08:15":     time.Date(2026, 3, 5, 8, 15, 0, 0, loc),
		"2026-03-05 08:15":     time.Date(2026, 3, 5, 8, 15, 0, 0, loc),
		"2026-03-05T08:15:00Z": time.Date(2026, 3, 5, 8, 15, 0, 0, time.UTC),
	} {
		if got, err := parseWhen(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseWhen("tomorrow", now); err == nil {
		t.Error("parseWhen(tomorrow) succeeded")
	}
}

// Package labtest holds helpers for tests and benchmarks that run real kind clusters: the
// skip-or-fail gate, the node image setting, running a lab's shell scripts with kubectl.
package labtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// RequireKind skips the test when no Docker engine (or no kubectl) is reachable, or under
// -short; with KCNAPREP_REQUIRE_KIND=1 (CI) it fails instead of skipping, so a green run means
// the clusters really ran.
func RequireKind(tb testing.TB) {
	tb.Helper()
	required := os.Getenv("KCNAPREP_REQUIRE_KIND") == "1"
	if testing.Short() && !required {
		tb.Skip("real kind clusters: skipped under -short")
	}
	skip := func(format string, args ...any) {
		tb.Helper()
		if required {
			tb.Fatalf("KCNAPREP_REQUIRE_KIND=1: "+format, args...)
		}
		tb.Skipf(format+" (set KCNAPREP_REQUIRE_KIND=1 to fail instead)", args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		skip("no Docker engine reachable (DOCKER_HOST=%q): %v: %s", os.Getenv("DOCKER_HOST"), err, bytes.TrimSpace(out))
	}
	if _, err := exec.LookPath("kubectl"); err != nil {
		skip("no kubectl on PATH: lab solutions need it")
	}
}

// NodeImage is the kind node image tests use: KCNAPREP_KIND_NODE_IMAGE, else KIND_NODE_IMAGE
// (kind-offline's), else "" for kind's default.
func NodeImage() string {
	if v := os.Getenv("KCNAPREP_KIND_NODE_IMAGE"); v != "" {
		return v
	}
	return os.Getenv("KIND_NODE_IMAGE")
}

// RunScript runs a lab script (solution.sh, a near miss) with bash, kubectl pointed at the
// kubeconfig, and returns its combined output.
func RunScript(ctx context.Context, script []byte, kubeconfig, home string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-s")
	cmd.Stdin = bytes.NewReader(script)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "HOME="+home)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ToolboxBusybox is the static busybox for the toolbox image in tests: KCNAPREP_TOOLBOX_BUSYBOX
// (.ci/env.sh points it at kind-offline's), else "" to let the toolbox find one (PATH,
// /bin/busybox from Debian's busybox-static).
func ToolboxBusybox() string { return os.Getenv("KCNAPREP_TOOLBOX_BUSYBOX") }

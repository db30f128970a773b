package serverproc

import (
	"os"
	"strings"
	"testing"
	"time"
)

// A process that dies before it serves is reported at once, not polled for ever.
func TestStartNoticesAnEarlyExit(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start("/bin/false", addr, nil, 5*time.Millisecond, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Fatalf("err = %v, want an early exit", err)
	}
}

// A process that never answers /readyz is stopped at the timeout.
func TestStartTimesOut(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir() + "/never-ready"
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Start(bin, addr, nil, 5*time.Millisecond, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not ready after") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

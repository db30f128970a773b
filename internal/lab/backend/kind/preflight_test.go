package kind

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Preflight refuses a cluster the host cannot run, naming the limit and the fix; readings it
// could not take never refuse.
func TestPreflight(t *testing.T) {
	roomy := HostReadings{InotifyInstances: 512, InotifyWatches: 524288, MemAvailableMiB: 8000}
	unknown := HostReadings{InotifyInstances: -1, InotifyWatches: -1, MemAvailableMiB: -1}
	with := func(f func(*HostReadings)) HostReadings { h := roomy; f(&h); return h }
	for _, tc := range []struct {
		name    string
		host    HostReadings
		running int
		want    string // in the message; "" for no refusal
	}{
		{"roomy host", roomy, 10, ""},
		{"unreadable host", unknown, 100, ""},
		{"default 128 instances, 3 clusters running", with(func(h *HostReadings) { h.InotifyInstances = 128 }), 3, ""},
		{"default 128 instances, 8 clusters running", with(func(h *HostReadings) { h.InotifyInstances = 128 }), 8, "sysctl -w fs.inotify.max_user_instances=512"},
		{"old kernel's 8192 watches, 1 cluster running", with(func(h *HostReadings) { h.InotifyWatches = 8192 }), 1, "fs.inotify.max_user_watches"},
		{"no free memory", with(func(h *HostReadings) { h.MemAvailableMiB = 700 }), 0, "700 MiB of memory available"},
		{"just enough memory", with(func(h *HostReadings) { h.MemAvailableMiB = NodeMemoryMiB + minFreeMiB }), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Preflight(tc.host, tc.running)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), tc.want) {
				t.Fatalf("err = %v, want EUNAVAILABLE saying %q", err, tc.want)
			}
		})
	}
	if InotifyBelowRecommended(roomy) != "" || InotifyBelowRecommended(unknown) != "" {
		t.Error("a host at kind's recommendation (or unreadable) is reported as below it")
	}
	if !strings.Contains(InotifyBelowRecommended(with(func(h *HostReadings) { h.InotifyInstances = 128 })), "512") {
		t.Error("128 instances not reported as below kind's recommended 512")
	}
}

// ReadHost reads /proc: the real one on Linux, and a missing one reads as unknown.
func TestReadHost(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err == nil {
		h := ReadHost("/")
		if h.MemAvailableMiB <= 0 || h.InotifyInstances <= 0 || h.InotifyWatches <= 0 {
			t.Errorf("real /proc read as %+v", h)
		}
	}
	root := t.TempDir() + "/"
	if h := ReadHost(root); h != (HostReadings{-1, -1, -1}) {
		t.Errorf("missing /proc read as %+v, want all unknown", h)
	}
	must := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(root+path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(root+path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must("proc/meminfo", "MemTotal:       24684544 kB\nMemFree:  100 kB\nMemAvailable:     716800 kB\n")
	must("proc/sys/fs/inotify/max_user_instances", "128\n")
	must("proc/sys/fs/inotify/max_user_watches", "garbage\n")
	if h := ReadHost(root); h != (HostReadings{128, -1, 700}) {
		t.Errorf("read %+v, want {128 -1 700}", h)
	}
}

// A failed creation on a host with low limits says what to fix; a cancelled one stays a
// cancellation.
func TestExplain(t *testing.T) {
	low := New("test", t.TempDir(), WithHostReadings(func() HostReadings { return HostReadings{128, 8192, 4000} }))
	err := low.explain(errors.New("create kind cluster x: exit status 1"))
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "exit status 1") ||
		!strings.Contains(domain.ErrorMessage(err), "sysctl -w") {
		t.Errorf("explain = %v", err)
	}
	if err := low.explain(context.Canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancellation became %v", err)
	}
	fine := New("test", t.TempDir(), WithHostReadings(func() HostReadings { return HostReadings{512, 524288, 4000} }))
	raw := errors.New("boom")
	if err := fine.explain(raw); err != raw {
		t.Errorf("on a well-configured host the error changed: %v", err)
	}
}

// The pool's size adapts to free memory, and says why.
func TestPoolSize(t *testing.T) {
	for _, tc := range []struct {
		requested int
		auto      bool
		mem       int64
		want      int
		why       string
	}{
		{0, true, 22000, 1, "default of 1"},
		{0, true, 2500, 0, "0 of the 1 asked"},
		{5, false, 22000, 5, "5 as asked"},
		{5, false, 2048 + 3*NodeMemoryMiB + 10, 3, "3 of the 5 asked"},
		{0, false, 22000, 0, "no pool"},
		{2, false, -1, 2, "free memory unknown"},
	} {
		n, why := PoolSize(tc.requested, tc.auto, HostReadings{MemAvailableMiB: tc.mem})
		if n != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("PoolSize(%d, auto=%v, %d MiB) = %d %q, want %d saying %q", tc.requested, tc.auto, tc.mem, n, why, tc.want, tc.why)
		}
	}
}

package kind

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Host readings that decide whether one more kind cluster can run here. kind's known failure
// on Linux: every node runs systemd, kubelet and containerd, which take inotify instances and
// watches from one per-user budget (fs.inotify.max_user_instances, 128 on many distributions),
// so after a few clusters new ones fail with "too many open files" minutes into their start.
// kind's documentation recommends 512 instances and 524288 watches.
const (
	// RecommendedInotifyInstances and RecommendedInotifyWatches are kind's recommended limits.
	RecommendedInotifyInstances = 512
	RecommendedInotifyWatches   = 524288
	// inotifyInstancesPerCluster and inotifyWatchesPerCluster are what we budget for one
	// cluster: 128 instances, the usual default, then fit 8 (the failure reported "after a few
	// clusters" comes from everything else on the host taking its share too).
	inotifyInstancesPerCluster = 16
	inotifyWatchesPerCluster   = 8192
	// NodeMemoryMiB is what a lab cluster's node takes (measured: its container uses about
	// 520 MiB), and minFreeMiB what must be left after it for the host itself.
	NodeMemoryMiB = 600
	minFreeMiB    = 256
)

// HostReadings is what Preflight judges; -1 means "could not be read" (not Linux, no /proc),
// which never refuses.
type HostReadings struct {
	InotifyInstances int64 // fs.inotify.max_user_instances
	InotifyWatches   int64 // fs.inotify.max_user_watches
	MemAvailableMiB  int64 // MemAvailable of /proc/meminfo
}

// ReadHost reads the host's limits and free memory from /proc (root is "/" outside tests).
func ReadHost(root string) HostReadings {
	return HostReadings{
		InotifyInstances: readInt(root + "proc/sys/fs/inotify/max_user_instances"),
		InotifyWatches:   readInt(root + "proc/sys/fs/inotify/max_user_watches"),
		MemAvailableMiB:  memAvailableMiB(root + "proc/meminfo"),
	}
}

func readInt(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return -1
	}
	return v
}

func memAvailableMiB(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb / 1024
		}
	}
	return -1
}

const inotifyFix = "To fix it, raise the limits (as root): sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288 (and put both lines in /etc/sysctl.d/99-kind.conf to keep them), then start the lab again."

// Preflight says whether one more cluster fits beside the running ones (all kind clusters on
// the engine: the inotify budget is the host's, not ours). The error is a domain error whose
// message names the limit and the fix, for the lab page.
func Preflight(h HostReadings, running int) error {
	n := int64(running + 1)
	if h.InotifyInstances >= 0 && h.InotifyInstances < n*inotifyInstancesPerCluster {
		return domain.Errorf(domain.EUNAVAILABLE,
			"This host allows %d inotify instances per user (fs.inotify.max_user_instances), too few for %d kind clusters: the new cluster's node would fail with \"too many open files\". %s",
			h.InotifyInstances, n, inotifyFix)
	}
	if h.InotifyWatches >= 0 && h.InotifyWatches < n*inotifyWatchesPerCluster {
		return domain.Errorf(domain.EUNAVAILABLE,
			"This host allows %d inotify watches per user (fs.inotify.max_user_watches), too few for %d kind clusters: the new cluster's node would fail with \"too many open files\". %s",
			h.InotifyWatches, n, inotifyFix)
	}
	if h.MemAvailableMiB >= 0 && h.MemAvailableMiB < NodeMemoryMiB+minFreeMiB {
		return domain.Errorf(domain.EUNAVAILABLE,
			"This host has %d MiB of memory available, and a lab cluster needs about %d MiB (plus %d MiB left for the host). Finish a running lab (yours or another learner's), or stop other programs, then start the lab again.",
			h.MemAvailableMiB, NodeMemoryMiB, minFreeMiB)
	}
	return nil
}

// InotifyBelowRecommended says, for the log at start-up and next to a failed creation, that the
// host's limits are under kind's recommendation ("" when they are not).
func InotifyBelowRecommended(h HostReadings) string {
	if (h.InotifyInstances >= 0 && h.InotifyInstances < RecommendedInotifyInstances) ||
		(h.InotifyWatches >= 0 && h.InotifyWatches < RecommendedInotifyWatches) {
		return fmt.Sprintf("inotify limits (max_user_instances %d, max_user_watches %d) are below kind's recommended %d and %d: clusters may fail with \"too many open files\" after a few. %s",
			h.InotifyInstances, h.InotifyWatches, RecommendedInotifyInstances, RecommendedInotifyWatches, inotifyFix)
	}
	return ""
}

// preflight checks Docker (listing the clusters needs it), then the host, before a cluster is
// created.
func (b *Backend) preflight(ctx context.Context) error {
	names, err := b.provider.List()
	if err != nil {
		if aerr := b.Available(ctx); aerr != nil {
			return aerr // Docker is down or missing: say so in words
		}
		return fmt.Errorf("list kind clusters: %w", err)
	}
	return Preflight(b.readHost(), len(names))
}

// explain turns a cluster that failed to come up into a message with the likely fix when the
// host's inotify limits are below kind's recommendation (the raw error goes to the log).
func (b *Backend) explain(err error) error {
	hint := InotifyBelowRecommended(b.readHost())
	if hint == "" || errors.Is(err, context.Canceled) {
		return err
	}
	b.logger.Warn("kind cluster failed on a host with low inotify limits", "error", err)
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return domain.Errorf(domain.EUNAVAILABLE, "The lab's cluster did not come up (%s). If this keeps happening while other clusters run, this host's %s", msg, hint)
}

// hostReserveMiB is the memory the warm pool leaves for the host and learners' cold starts.
const hostReserveMiB = 2048

// PoolSize decides how many clusters the warm pool keeps: requested (or 1 when auto), capped
// by the memory available beyond a reserve for the host, and says why for the log.
func PoolSize(requested int, auto bool, h HostReadings) (int, string) {
	want := requested
	if auto {
		want = 1
	}
	if want <= 0 {
		return 0, "no pool (size 0)"
	}
	if h.MemAvailableMiB < 0 {
		return want, fmt.Sprintf("%d as asked (free memory unknown)", want)
	}
	room := max(0, (h.MemAvailableMiB-hostReserveMiB)/NodeMemoryMiB)
	why := fmt.Sprintf("%d MiB available, room for %d clusters of ~%d MiB keeping %d MiB for the host", h.MemAvailableMiB, room, NodeMemoryMiB, hostReserveMiB)
	if int64(want) > room {
		return int(room), fmt.Sprintf("%d of the %d asked: %s", room, want, why)
	}
	if auto {
		return want, "the default of 1: " + why
	}
	return want, fmt.Sprintf("%d as asked: %s", want, why)
}

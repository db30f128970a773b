package shared

import (
	"strings"
	"testing"
)

func TestPoolSize(t *testing.T) {
	for _, c := range []struct {
		requested int
		auto      bool
		mem       int64
		want      int
		why       string
	}{
		{0, true, 16000, 3, "3 namespaces"},
		{0, false, 16000, 0, "no pool"},
		{10, false, 16000, 10, "10 namespaces"},
		{10, false, 2048 + 4*namespaceMiB, 4, "4 of the 10 asked"},
		{3, true, 1000, 0, "0 of the 3 asked"},
		{5, false, -1, 5, "free memory unknown"},
	} {
		got, why := PoolSize(c.requested, c.auto, c.mem)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("PoolSize(%d, %v, %d) = %d %q, want %d %q", c.requested, c.auto, c.mem, got, why, c.want, c.why)
		}
	}
}

package httpserver

import (
	"testing"
	"time"
)

// TestFormatDuration: one way to write a duration on every page (exam times, lab steps, check
// times), precise where it is short.
func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                      "0.0 s",
		1500 * time.Millisecond:           "1.5 s",
		40 * time.Second:                  "40 s",
		2 * time.Minute:                   "2 min",
		7*time.Minute + 30*time.Second:    "7 min 30 s",
		12*time.Minute + 40*time.Second:   "12 min",
		90 * time.Minute:                  "1 h 30 min",
		2*time.Hour + 5*time.Minute + 9e9: "2 h 05 min",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := clock(61*time.Second + 400*time.Millisecond); got != "1:01" {
		t.Errorf("clock = %q, want 1:01", got)
	}
}

package httpserver

import (
	"bytes"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// The same session encodes to the same bytes every time (scs's GobCodec does not: map order),
// decodes to what was encoded, and sessions in GobCodec's form still decode.
func TestSessionCodecIsStable(t *testing.T) {
	deadline := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	values := map[string]any{"user": int64(7), "gen": int64(3), "flash": "Saved.", "next": "/exams", "a": int64(1)}
	first, err := SessionCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, err := SessionCodec{}.Encode(deadline, values)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("the same session encoded to different bytes")
		}
	}
	check := func(name string, b []byte) {
		t.Helper()
		d, got, err := SessionCodec{}.Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !d.Equal(deadline) || len(got) != len(values) || got["user"] != int64(7) || got["gen"] != int64(3) || got["flash"] != "Saved." {
			t.Errorf("%s decoded to %v %v", name, d, got)
		}
	}
	check("SessionCodec", first)
	old, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	check("GobCodec", old)
}

package httpserver

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCodec encodes session data like scs's GobCodec, but with the values in key order, so
// the same session always encodes to the same bytes. scs's GobCodec encodes a map, in Go's
// random map order: the store, which skips a commit whose bytes are unchanged and whose expiry
// only slid a little, then saw a signed-in session (two keys) as changed on every other
// request, and wrote it. It decodes the GobCodec's form too, so sessions made before it still
// load.
type SessionCodec struct{}

type sortedSession struct {
	Deadline time.Time
	Keys     []string
	Vals     []any
}

// Encode implements scs.Codec.
func (SessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	s := sortedSession{Deadline: deadline, Keys: make([]string, 0, len(values))}
	for k := range values {
		s.Keys = append(s.Keys, k)
	}
	slices.Sort(s.Keys)
	s.Vals = make([]any, len(s.Keys))
	for i, k := range s.Keys {
		s.Vals[i] = values[k]
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&s); err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return b.Bytes(), nil
}

// Decode implements scs.Codec.
func (SessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	var s sortedSession
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil || len(s.Keys) != len(s.Vals) {
		return scs.GobCodec{}.Decode(b)
	}
	if len(s.Keys) == 0 {
		// GobCodec's form decodes here without error and without keys (gob skips its Values
		// field): read it as GobCodec's. An empty session of either form has no values.
		if d, values, err := (scs.GobCodec{}).Decode(b); err == nil && len(values) > 0 {
			return d, values, nil
		}
		return s.Deadline, map[string]any{}, nil
	}
	values := make(map[string]any, len(s.Keys))
	for i, k := range s.Keys {
		values[k] = s.Vals[i]
	}
	return s.Deadline, values, nil
}

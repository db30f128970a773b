//go:build !unix

package store

import "errors"

// fileLock is a no-op where flock is missing: restore cannot tell whether a server has the
// database open there, and says so in its usage.
type fileLock struct{}

var errLocked = errors.New("locked")

func lockFile(string, bool) (*fileLock, error) { return &fileLock{}, nil }

func (*fileLock) unlock() error { return nil }

//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fileLock is an advisory lock (flock) on the database's lock file, path + ".lock". Every
// process that opens the database holds it shared; "server restore" takes it exclusively, so
// it can tell that a server (or a command) still has the database open and refuse to swap the
// file under it. The kernel drops the lock when the process dies, even by SIGKILL.
type fileLock struct{ f *os.File }

// errLocked says the lock is held in the other mode by another open of the file.
var errLocked = errors.New("locked")

func lockFile(path string, exclusive bool) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) unlock() error {
	if l == nil {
		return nil
	}
	return l.f.Close() // closing the descriptor releases the flock
}

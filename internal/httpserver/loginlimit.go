package httpserver

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter slows password guessing per account: each username may fail loginBurst times,
// then one more try per loginEvery. It is keyed by username, not by address, because a
// classroom signs in from behind one address. A success clears the account's record.
type loginLimiter struct {
	mu    sync.Mutex
	byKey map[string]*rate.Limiter
	now   func() time.Time
}

const (
	loginBurst   = 5
	loginEvery   = time.Minute
	loginMaxKeys = 10000 // past this, records that have fully refilled are dropped
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{byKey: map[string]*rate.Limiter{}, now: time.Now}
}

func (l *loginLimiter) key(username string) string { return strings.ToLower(username) }

// Blocked reports whether username has used up its failed attempts, and for how long.
func (l *loginLimiter) Blocked(username string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.byKey[l.key(username)]
	if lim == nil {
		return false, 0
	}
	tokens := lim.TokensAt(l.now())
	if tokens >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - tokens) * float64(loginEvery))
}

// Failed records a failed attempt for username.
func (l *loginLimiter) Failed(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.key(username)
	lim := l.byKey[k]
	if lim == nil {
		if len(l.byKey) >= loginMaxKeys {
			l.prune()
		}
		lim = rate.NewLimiter(rate.Every(loginEvery), loginBurst)
		l.byKey[k] = lim
	}
	lim.AllowN(l.now(), 1)
}

// Succeeded forgets username's failed attempts.
func (l *loginLimiter) Succeeded(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byKey, l.key(username))
}

func (l *loginLimiter) prune() {
	now := l.now()
	for k, lim := range l.byKey {
		if lim.TokensAt(now) >= loginBurst {
			delete(l.byKey, k)
		}
	}
}

package httpserver

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter counts failed sign-ins per key: each key may fail burst times, then one more
// try per every. The server keeps two (see handleLogin): one per account, or per known device
// of the account, which slows guessing one password; and one per client address, with a
// larger burst (a classroom signs in from behind one address), which slows trying one
// password on many accounts. Neither is a lock an outsider can hold on an account for its
// owner: a device the owner has signed in from before has a record of its own.
type loginLimiter struct {
	mu    sync.Mutex
	byKey map[string]*rate.Limiter
	now   func() time.Time
	burst int
	every time.Duration
}

const (
	loginBurst   = 5
	loginEvery   = time.Minute
	addrBurst    = 30
	addrEvery    = 10 * time.Second
	loginMaxKeys = 10000 // past this, records that have fully refilled are dropped
)

// newLoginLimiter is the per-account (and per-device) limiter.
func newLoginLimiter() *loginLimiter { return newLimiter(loginBurst, loginEvery) }

// newAddrLimiter is the per-address limiter.
func newAddrLimiter() *loginLimiter { return newLimiter(addrBurst, addrEvery) }

func newLimiter(burst int, every time.Duration) *loginLimiter {
	return &loginLimiter{byKey: map[string]*rate.Limiter{}, now: time.Now, burst: burst, every: every}
}

func (l *loginLimiter) key(username string) string { return strings.ToLower(username) }

// Blocked reports whether the key has used up its failed attempts, and for how long.
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
	return true, time.Duration((1 - tokens) * float64(l.every))
}

// Failed records a failed attempt for the key.
func (l *loginLimiter) Failed(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.key(username)
	lim := l.byKey[k]
	if lim == nil {
		if len(l.byKey) >= loginMaxKeys {
			l.prune()
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.byKey[k] = lim
	}
	lim.AllowN(l.now(), 1)
}

// Succeeded forgets the key's failed attempts.
func (l *loginLimiter) Succeeded(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byKey, l.key(username))
}

func (l *loginLimiter) prune() {
	now := l.now()
	for k, lim := range l.byKey {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.byKey, k)
		}
	}
}

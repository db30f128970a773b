// Package auth checks passwords and finds signed-in users. Sessions are alexedwards/scs, stored
// by internal/store; the web layer renews the session token on every login, so a token planted
// before login is worthless after it.
package auth

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"golang.org/x/crypto/bcrypt"
)

// Credentials finds accounts by username (internal/store implements it).
type Credentials interface {
	CredentialsByUsername(ctx context.Context, username string) (domain.UserCredentials, error)
}

// Store is what the auth service reads (internal/store implements it).
type Store interface {
	Credentials
	UserByID(ctx context.Context, id int64) (*domain.User, error)
	SessionUser(ctx context.Context, id, gen int64) (*domain.User, error)
}

// Service signs users in and finds the user of a session.
type Service struct{ store Store }

// New returns a Service on st.
func New(st Store) *Service { return &Service{store: st} }

// Login checks a username and password and returns the user and the session generation a new
// session records (see the package func Authenticate).
func (s *Service) Login(ctx context.Context, username, password string) (*domain.User, int64, error) {
	return Authenticate(ctx, s.store, username, password)
}

// SessionUser returns the user of a session that recorded generation gen, or ENOTFOUND when
// the session is void: the user was removed or disabled, or changed password since.
func (s *Service) SessionUser(ctx context.Context, id, gen int64) (*domain.User, error) {
	return s.store.SessionUser(ctx, id, gen)
}

// User returns the user with the id, or ENOTFOUND (e.g. the account was removed).
func (s *Service) User(ctx context.Context, id int64) (*domain.User, error) {
	return s.store.UserByID(ctx, id)
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Cost is the bcrypt cost of new password hashes (about 50-100 ms on one core).
const Cost = 11

// HashPassword returns a bcrypt hash of a password that meets the length rule.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", domain.Errorf(domain.EINVALID, "Passwords have at least %d characters.", MinPasswordLength)
	}
	if len(password) > 72 {
		return "", domain.Errorf(domain.EINVALID, "Passwords have at most 72 bytes (a bcrypt limit).")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), Cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the username does not exist, so a failed login takes
// as long whether or not the account exists. It is a fixed bcrypt hash at Cost (of a password
// nobody uses) rather than one generated at init, which cost every command ~115 ms at start.
var dummyHash = []byte("$2a$11$UKD42a98Eo60EGnQPLr2o.utyU0EsbvZmDMPHjL2MDXJu7uWdCBCK")

// ErrBadLogin is the one answer to every failed login: it never says which part was wrong.
var ErrBadLogin = domain.Errorf(domain.EUNAUTHORIZED, "Wrong username or password.")

// ErrDisabled answers a correct password for a disabled account. It is only given after the
// password matched, so it tells a guesser nothing.
var ErrDisabled = domain.Errorf(domain.EFORBIDDEN, "This account is disabled. Ask your instructor or administrator to enable it.")

// Login checks a username and password and returns the user.
func Login(ctx context.Context, db Credentials, username, password string) (*domain.User, error) {
	u, _, err := Authenticate(ctx, db, username, password)
	return u, err
}

// Authenticate checks a username and password and returns the user and the session
// generation a new session records (see store.SessionUser). A disabled account is ErrDisabled.
func Authenticate(ctx context.Context, db Credentials, username, password string) (*domain.User, int64, error) {
	cred, err := db.CredentialsByUsername(ctx, username)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, 0, ErrBadLogin
	}
	if err != nil {
		return nil, 0, err
	}
	if err := bcrypt.CompareHashAndPassword([]byte(cred.PasswordHash), []byte(password)); err != nil {
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return nil, 0, ErrBadLogin
		}
		return nil, 0, fmt.Errorf("check password: %w", err)
	}
	if cred.User.Disabled {
		return nil, 0, ErrDisabled
	}
	return cred.User, cred.SessionGen, nil
}

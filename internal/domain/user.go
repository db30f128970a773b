package domain

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Role is what a user may do.
type Role string

// Roles. The local profile of single-learner mode is a learner.
const (
	RoleLearner    Role = "learner"
	RoleInstructor Role = "instructor"
	RoleAdmin      Role = "admin"
)

// LocalUsername is the profile used when the server runs without accounts.
const LocalUsername = "local"

// UsernamePattern is the form of a username: 1 to 63 characters of lower-case letters a-z,
// digits, ".", "_" and "-", starting with a letter or digit ("ana", "j.doe", "team-3_b").
// It keeps names printable in logs and tables, and unambiguous on the command line.
var UsernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidateUsername returns an EINVALID error, saying what is wrong, for a name that does not
// have the username form.
func ValidateUsername(name string) error {
	const form = "a username is 1 to 63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit"
	switch {
	case strings.TrimSpace(name) == "":
		return Errorf(EINVALID, "The username is empty: %s.", form)
	case strings.ContainsAny(name, "\r\n"):
		return Errorf(EINVALID, "The username %q spans several lines: %s.", name, form)
	case UsernamePattern.MatchString(name):
		return nil
	case UsernamePattern.MatchString(strings.ToLower(name)):
		return Errorf(EINVALID, "The username %q has capitals: use %q (%s).", name, strings.ToLower(name), form)
	}
	return Errorf(EINVALID, "The username %q is not allowed: %s.", name, form)
}

// User is a person using kcnaprep.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Role        Role
	CreatedAt   time.Time
	Disabled    bool // may not sign in; its sessions have ended
}

type userKey struct{}

// NewContextWithUser returns a context carrying the requesting user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFromContext returns the requesting user, or nil for an anonymous request.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}

// UserIDFromContext returns the requesting user's id, or 0.
func UserIDFromContext(ctx context.Context) int64 {
	if u := UserFromContext(ctx); u != nil {
		return u.ID
	}
	return 0
}

// UserCredentials is what a login needs.
type UserCredentials struct {
	User         *User
	PasswordHash string
	SessionGen   int64 // the sessions' generation: a session signed in under another one is void
}

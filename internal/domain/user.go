package domain

import (
	"context"
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

// User is a person using kcnaprep.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Role        Role
	CreatedAt   time.Time
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
}

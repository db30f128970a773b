// Package domain holds the types shared by every layer of kcnaprep and its coded errors.
// It depends on nothing else in the module.
package domain

import (
	"errors"
	"fmt"
)

// Error codes. A handler maps them to HTTP status codes; only EINTERNAL is logged as a failure.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EGONE         = "gone"        // e.g. an answer sent after the exam deadline
	EUNAVAILABLE  = "unavailable" // something the server depends on is missing (e.g. Docker for labs)
)

// Error is an error with a code and a message that is safe to show to the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-safe message of err: the message of its *Error, or a
// generic text for internal errors, whose details must not leak to the user.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Something went wrong on our side. It has been logged."
	}
}

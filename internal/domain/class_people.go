package domain

import (
	"fmt"
	"strings"
	"time"
)

// RosterRow is one person of a roster file (username,name,email,section).
type RosterRow struct {
	Line     int // the line of the file the record starts on
	Username string
	Name     string // "" : the username
	Email    string
	Section  string // "" for none
}

// RosterProblem is one thing wrong with a roster file, on a line (0: the file as a whole).
type RosterProblem struct {
	Line    int
	Message string
}

// RosterError is a roster refused whole: it lists every problem found, each with its line.
type RosterError struct {
	File     string
	Problems []RosterProblem
}

func (e *RosterError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the roster was not imported (nothing was changed): %d problem(s)", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.String(e.File))
	}
	return b.String()
}

// String gives the problem as "file:line: message".
func (p RosterProblem) String(file string) string {
	if p.Line == 0 {
		return file + ": " + p.Message
	}
	return fmt.Sprintf("%s:%d: %s", file, p.Line, p.Message)
}

// RosterEntry is a member of a class as its instructors see it on the roster.
type RosterEntry struct {
	ClassMember
	PasswordSet bool // false: the account waits for its set-password link
}

// SetPasswordLink is a one-time link that sets an account's password.
type SetPasswordLink struct {
	Username  string
	Name      string
	Email     string
	Section   string
	URL       string // absolute when the base URL is known, else the path /set-password/TOKEN
	ExpiresAt time.Time
}

// RosterImport is what importing a roster did: accounts created (each with its set-password
// link) and existing accounts added to the class.
type RosterImport struct {
	Created []SetPasswordLink
	Added   []string // usernames of existing accounts, now in the class
	Rows    int
}

// RosterAccount is a roster row to import, with the hash of the set-password token its
// account gets if it is new.
type RosterAccount struct {
	Row       RosterRow
	TokenHash []byte // SHA-256 of the token
}

// ErrTokenSpent answers a set-password link that was used, replaced, has expired or never was.
var ErrTokenSpent = Errorf(ENOTFOUND, "This set-password link has expired or was used already. Ask your instructor for a new one.")

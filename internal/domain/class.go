package domain

import (
	"regexp"
	"time"
)

// ClassIDPattern is the form of a class id: 1 to 63 of a-z, 0-9 and "-", not starting with "-"
// ("kcna-fall-26"). It appears in URLs and on the command line, and never changes.
var ClassIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidateClassID returns an EINVALID error, saying what is wrong, for an id without the form.
func ValidateClassID(id string) error {
	if ClassIDPattern.MatchString(id) {
		return nil
	}
	return Errorf(EINVALID, "The class id %q is not allowed: a class id is 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit.", id)
}

// ClassRole is what a member does in a class.
type ClassRole string

// Class roles. A site admin may act as an instructor of any class without a membership.
const (
	ClassInstructor ClassRole = "instructor"
	ClassStudent    ClassRole = "student"
)

// Class is a group of students taught by one or more instructors on this server.
type Class struct {
	ID         string
	Title      string
	Sections   []string // sorted; empty when the class has none
	InviteCode string   // "" when joining by link is off
	CreatedAt  time.Time
	Archived   bool
}

// ClassMember is a person in a class.
type ClassMember struct {
	ClassID  string
	User     User
	Email    string
	Role     ClassRole
	Section  string // "" for none
	JoinedAt time.Time
}

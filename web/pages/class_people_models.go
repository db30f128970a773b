package pages

import "github.com/kcnaprep/kcnaprep/web/components"

// ClassesVM is the list of the viewer's classes (/classes).
type ClassesVM struct {
	Page      components.Page
	CanCreate bool
	Admin     bool
	Joined    string // title of a class just joined
	Teaching  []ClassCardVM
	Studying  []ClassCardVM
}

// ClassCardVM is one class in a list.
type ClassCardVM struct {
	ID, Title   string
	URL         string // "" for a student: their class has no page of its own here
	Section     string
	Instructors string
	Students    int
}

// NewClassVM is the form that creates a class.
type NewClassVM struct {
	Page                components.Page
	ID, Title, Sections string
	Error               string
}

// ClassVM is a class's page for its instructors: roster, sections, invite link, import.
type ClassVM struct {
	Page       components.Page
	ID, Title  string
	Sections   []string
	InviteURL  string // "" when joining by link is off
	InviteCode string
	Members    []MemberVM
	Students   int
	Pending    int // students who have not set a password yet
	Notice     string
	Labs       ClassLabsVM
}

// ClassLabsVM is the class page's lab section: the warm pool's state and the class's
// pre-warms ("N environments ready at 9:00").
type ClassLabsVM struct {
	ClassID   string
	CanPool   bool
	Why       string // why there is no pre-warm here (no labs, a backend that cannot pool)
	Ready     int
	Preparing int
	Target    int    // the standing pool
	Estimate  string // to prepare one environment, e.g. "1m30s"
	Schedules []WarmVM
	Error     string // the form's problem
	Count, At string // the form's values after a problem
}

// WarmVM is one pre-warm.
type WarmVM struct {
	ID       string
	Count    int
	ReadyAt  LocalTime
	StartsAt LocalTime // when warming starts (about)
	State    string
	Note     string
	Pending  bool
}

// MemberVM is a person on the roster.
type MemberVM struct {
	UserID      string
	Username    string
	Name        string
	Email       string
	Section     string
	Instructor  bool
	Disabled    bool
	PasswordSet bool
	ActionURL   string // /classes/{id}/students/{userID}, + /reset etc.
}

// PasswordLinksVM shows set-password links after an import or a reset, and the roster's
// problems when it was refused.
type PasswordLinksVM struct {
	Page     components.Page
	ClassID  string
	ClassURL string
	Heading  string
	Links    []PasswordLinkVM
	Added    []string
	Problems []string // "line 4: empty username"
	CSVURL   string   // a data: URL of the links as CSV
	CSVName  string
}

// PasswordLinkVM is one new set-password link.
type PasswordLinkVM struct {
	Username, Name, Section, URL, Expires string
}

// JoinVM is the page an invite link opens.
type JoinVM struct {
	Page       components.Page
	Code       string
	ClassTitle string
	Error      string
}

// SetPasswordVM is the page a set-password link opens.
type SetPasswordVM struct {
	Page     components.Page
	Username string
	Error    string
	Spent    bool // the link does not work (any more)
}

// StaffVM is the admin's page of instructors and admins.
type StaffVM struct {
	Page     components.Page
	Staff    []StaffRowVM
	Username string
	Error    string
	Notice   string
}

// StaffRowVM is one instructor or admin.
type StaffRowVM struct {
	Username, Name, Role string
	Disabled             bool
}

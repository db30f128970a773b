package classroom

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/auth"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// PeopleStore holds a class's people: rosters, invite codes, set-password tokens, and what an
// instructor may do to a student's account.
type PeopleStore interface {
	ImportRoster(ctx context.Context, classID string, rows []domain.RosterAccount, createdBy int64, expires time.Time) ([]bool, error)
	ClassRoster(ctx context.Context, classID string) ([]*domain.RosterEntry, error)
	ResetStudentPassword(ctx context.Context, classID string, userID int64, tokenHash []byte, createdBy int64, expires time.Time) (*domain.User, error)
	SetStudentDisabled(ctx context.Context, classID string, userID int64, disabled bool) error
	RemoveStudent(ctx context.Context, classID string, userID int64) error
	PasswordTokenUser(ctx context.Context, tokenHash []byte) (*domain.User, error)
	UsePasswordToken(ctx context.Context, tokenHash []byte, passwordHash string) (*domain.User, int64, error)
	SetInviteCode(ctx context.Context, classID, code string) error
	ClassByInviteCode(ctx context.Context, code string) (*domain.Class, error)
	JoinClass(ctx context.Context, code string, userID int64) (*domain.Class, error)
	UserByUsername(ctx context.Context, username string) (*domain.User, error)
	UsersWithRoles(ctx context.Context, roles ...domain.Role) ([]*domain.User, error)
	SetRole(ctx context.Context, username string, role domain.Role) error
}

// LinkTTL is how long a set-password link works.
const LinkTTL = 7 * 24 * time.Hour

// SetPasswordPath is the path of a set-password link, before its token.
const SetPasswordPath = "/set-password/"

// JoinPath is the path of an invite link, before its code.
const JoinPath = "/join/"

// isStaff reports whether u may create classes: an instructor or an admin of the site.
func isStaff(u *domain.User) bool {
	return u != nil && !u.Disabled && (u.Role == domain.RoleInstructor || u.Role == domain.RoleAdmin)
}

// CreateClass creates a class taught by viewer, who must be an instructor or admin of the site.
// Sections are trimmed, and a repeated one counts once.
func (s *Service) CreateClass(ctx context.Context, viewer *domain.User, id, title string, sections []string) (*domain.Class, error) {
	if !isStaff(viewer) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only instructors and admins create classes; an admin can make you an instructor.")
	}
	c := &domain.Class{ID: strings.TrimSpace(id), Title: strings.TrimSpace(title)}
	for _, sec := range sections {
		sec = strings.TrimSpace(sec)
		if sec == "" || slices.Contains(c.Sections, sec) {
			continue
		}
		if len(sec) > 63 || strings.ContainsFunc(sec, isControl) {
			return nil, domain.Errorf(domain.EINVALID, "The section %q is not allowed: a section name is 1 to 63 characters on one line.", sec)
		}
		c.Sections = append(c.Sections, sec)
	}
	if len([]rune(c.Title)) > 200 {
		return nil, domain.Errorf(domain.EINVALID, "The title is longer than 200 characters.")
	}
	if err := s.store.CreateClass(ctx, c, viewer.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// MyClass is a class as one person sees it in their list of classes.
type MyClass struct {
	*domain.Class
	Role        domain.ClassRole // ClassInstructor for an admin who does not belong to it
	Section     string           // the viewer's section, as a student
	Instructors []string         // display names
	Students    int              // counted for instructors only
}

// Classes returns the classes viewer teaches or studies in (every class, for an admin). A
// student learns of a class its title, their own section and its instructors: never who else
// is in it.
func (s *Service) Classes(ctx context.Context, viewer *domain.User) ([]MyClass, error) {
	if viewer == nil || viewer.Disabled {
		return nil, nil
	}
	var (
		classes []*domain.Class
		err     error
	)
	if viewer.Role == domain.RoleAdmin {
		classes, err = s.store.AllClasses(ctx)
	} else {
		classes, err = s.store.ClassesOf(ctx, viewer.ID)
	}
	if err != nil {
		return nil, err
	}
	out := make([]MyClass, 0, len(classes))
	for _, c := range classes {
		members, err := s.store.ClassMembers(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		mc := MyClass{Class: c, Role: domain.ClassInstructor}
		if viewer.Role != domain.RoleAdmin {
			mc.Role = domain.ClassStudent
		}
		for _, m := range members {
			if m.User.ID == viewer.ID {
				mc.Role, mc.Section = m.Role, m.Section
			}
		}
		if revoked(viewer, mc.Role) {
			continue
		}
		for _, m := range members {
			switch {
			case m.Role == domain.ClassInstructor:
				mc.Instructors = append(mc.Instructors, m.User.DisplayName)
			case mc.Role == domain.ClassInstructor:
				mc.Students++
			}
		}
		if mc.Role != domain.ClassInstructor {
			mc.InviteCode = "" // a student does not hand out the invite
		}
		out = append(out, mc)
	}
	return out, nil
}

// Roster returns a class and its people for one who teaches it.
func (s *Service) Roster(ctx context.Context, viewer *domain.User, classID string) (*domain.Class, []*domain.RosterEntry, error) {
	c, err := s.Teach(ctx, viewer, classID)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.ClassRoster(ctx, classID)
	if err != nil {
		return nil, nil, err
	}
	return c, r, nil
}

// RotateInvite gives the class a new join code; links with the old one stop working.
func (s *Service) RotateInvite(ctx context.Context, viewer *domain.User, classID string) (string, error) {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return "", err
	}
	code := newInviteCode()
	return code, s.store.SetInviteCode(ctx, classID, code)
}

// DisableInvite turns joining the class by link off.
func (s *Service) DisableInvite(ctx context.Context, viewer *domain.User, classID string) error {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return err
	}
	return s.store.SetInviteCode(ctx, classID, "")
}

// InviteClass returns the class a join code opens (to show before joining).
func (s *Service) InviteClass(ctx context.Context, code string) (*domain.Class, error) {
	return s.store.ClassByInviteCode(ctx, normalizeCode(code))
}

// Join makes viewer a student of the class the code opens; joining twice is one membership.
func (s *Service) Join(ctx context.Context, viewer *domain.User, code string) (*domain.Class, error) {
	if viewer == nil || viewer.Disabled {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Sign in to join a class.")
	}
	return s.store.JoinClass(ctx, normalizeCode(code), viewer.ID)
}

// ImportRoster reads a roster CSV (see ParseRoster) and adds its people to the class, all or
// nothing: new accounts are created without a password and each gets a set-password link
// (baseURL, e.g. "https://kcna.example.org", makes it absolute); existing accounts are added.
// A bad file is a *domain.RosterError and changes nothing.
func (s *Service) ImportRoster(ctx context.Context, viewer *domain.User, classID, file string, r io.Reader, baseURL string) (domain.RosterImport, error) {
	c, err := s.Teach(ctx, viewer, classID)
	if err != nil {
		return domain.RosterImport{}, err
	}
	rows, err := ParseRoster(file, r, c.Sections)
	if err != nil {
		return domain.RosterImport{}, err
	}
	accounts := make([]domain.RosterAccount, len(rows))
	tokens := make([]string, len(rows))
	for i, row := range rows {
		tokens[i] = newToken()
		accounts[i] = domain.RosterAccount{Row: row, TokenHash: hashToken(tokens[i])}
	}
	expires := s.now().Add(LinkTTL)
	created, err := s.store.ImportRoster(ctx, classID, accounts, viewer.ID, expires)
	if err != nil {
		return domain.RosterImport{}, err
	}
	res := domain.RosterImport{Rows: len(rows)}
	for i, row := range rows {
		if !created[i] {
			res.Added = append(res.Added, row.Username)
			continue
		}
		name := row.Name
		if name == "" {
			name = row.Username
		}
		res.Created = append(res.Created, domain.SetPasswordLink{Username: row.Username, Name: name, Email: row.Email,
			Section: row.Section, URL: strings.TrimRight(baseURL, "/") + SetPasswordPath + tokens[i], ExpiresAt: expires})
	}
	return res, nil
}

// ResetPassword gives a student of the class a new set-password link: their password stops
// working, older links stop working and every session of theirs ends.
func (s *Service) ResetPassword(ctx context.Context, viewer *domain.User, classID string, userID int64, baseURL string) (domain.SetPasswordLink, error) {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return domain.SetPasswordLink{}, err
	}
	token := newToken()
	expires := s.now().Add(LinkTTL)
	u, err := s.store.ResetStudentPassword(ctx, classID, userID, hashToken(token), viewer.ID, expires)
	if err != nil {
		return domain.SetPasswordLink{}, err
	}
	return domain.SetPasswordLink{Username: u.Username, Name: u.DisplayName,
		URL: strings.TrimRight(baseURL, "/") + SetPasswordPath + token, ExpiresAt: expires}, nil
}

// SetStudentDisabled disables (ending every session) or re-enables a student of the class.
func (s *Service) SetStudentDisabled(ctx context.Context, viewer *domain.User, classID string, userID int64, disabled bool) error {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return err
	}
	return s.store.SetStudentDisabled(ctx, classID, userID, disabled)
}

// RemoveStudent takes a student out of the class; their account and work stay.
func (s *Service) RemoveStudent(ctx context.Context, viewer *domain.User, classID string, userID int64) error {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return err
	}
	return s.store.RemoveStudent(ctx, classID, userID)
}

// PasswordLinkUser returns the account a set-password link is for, while the link works.
func (s *Service) PasswordLinkUser(ctx context.Context, token string) (*domain.User, error) {
	if !plausibleToken(token) {
		return nil, domain.ErrTokenSpent
	}
	return s.store.PasswordTokenUser(ctx, hashToken(token))
}

// SetPasswordWithLink spends a set-password link: it sets the password (bcrypt, the auth
// service's rules) and returns the user and the session generation a new session records.
// Every older session of the user ends.
func (s *Service) SetPasswordWithLink(ctx context.Context, token, password string) (*domain.User, int64, error) {
	if !plausibleToken(token) {
		return nil, 0, domain.ErrTokenSpent
	}
	// A dead link is refused before bcrypt's ~100 ms: nobody makes the server hash for free.
	if _, err := s.store.PasswordTokenUser(ctx, hashToken(token)); err != nil {
		return nil, 0, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, 0, err
	}
	return s.store.UsePasswordToken(ctx, hashToken(token), hash)
}

// Staff lists the site's instructors and admins, for an admin.
func (s *Service) Staff(ctx context.Context, viewer *domain.User) ([]*domain.User, error) {
	if viewer == nil || viewer.Role != domain.RoleAdmin || viewer.Disabled {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no page here.")
	}
	return s.store.UsersWithRoles(ctx, domain.RoleInstructor, domain.RoleAdmin)
}

// SetSiteRole changes a user's site role (learner, instructor, admin), for an admin. An admin
// cannot change their own role (so the last admin cannot lock everyone out by mistake).
func (s *Service) SetSiteRole(ctx context.Context, viewer *domain.User, username string, role domain.Role) error {
	if viewer == nil || viewer.Role != domain.RoleAdmin || viewer.Disabled {
		return domain.Errorf(domain.ENOTFOUND, "There is no page here.")
	}
	if role != domain.RoleLearner && role != domain.RoleInstructor && role != domain.RoleAdmin {
		return domain.Errorf(domain.EINVALID, "The role %q does not exist: use learner, instructor or admin.", role)
	}
	username = strings.TrimSpace(username)
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	if u.ID == viewer.ID {
		return domain.Errorf(domain.EINVALID, "You cannot change your own role; ask another admin, or use \"server user role\".")
	}
	return s.store.SetRole(ctx, username, role)
}

// newToken returns a random set-password token: 256 bits, URL-safe.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func plausibleToken(t string) bool { return len(t) == 43 }

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

var codeEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// newInviteCode returns a join code: 16 characters without the look-alikes l, o, 0 and 1, 80
// random bits, easy to read out or type.
func newInviteCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return codeEncoding.EncodeToString(b)
}

// normalizeCode accepts a typed code with capitals, spaces or dashes.
func normalizeCode(c string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(c)))
}

// LinksCSV is set-password links as CSV: username,name,email,section,link,expires (UTC).
func LinksCSV(links []domain.SetPasswordLink) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write([]string{"username", "name", "email", "section", "link", "expires"})
	for _, l := range links {
		_ = cw.Write([]string{l.Username, l.Name, l.Email, l.Section, l.URL, l.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z")})
	}
	cw.Flush() // writes to a bytes.Buffer cannot fail
	return b.Bytes()
}

package httpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// ClassPeople is a class's people: creating classes, rosters, invite links, set-password links
// and what an instructor does to a student's account; and the admin's page of instructors.
type ClassPeople interface {
	CreateClass(ctx context.Context, viewer *domain.User, id, title string, sections []string) (*domain.Class, error)
	Classes(ctx context.Context, viewer *domain.User) ([]classroom.MyClass, error)
	Roster(ctx context.Context, viewer *domain.User, classID string) (*domain.Class, []*domain.RosterEntry, error)
	RotateInvite(ctx context.Context, viewer *domain.User, classID string) (string, error)
	DisableInvite(ctx context.Context, viewer *domain.User, classID string) error
	InviteClass(ctx context.Context, code string) (*domain.Class, error)
	Join(ctx context.Context, viewer *domain.User, code string) (*domain.Class, error)
	ImportRoster(ctx context.Context, viewer *domain.User, classID, file string, r io.Reader, baseURL string) (domain.RosterImport, error)
	ResetPassword(ctx context.Context, viewer *domain.User, classID string, userID int64, baseURL string) (domain.SetPasswordLink, error)
	SetStudentDisabled(ctx context.Context, viewer *domain.User, classID string, userID int64, disabled bool) error
	RemoveStudent(ctx context.Context, viewer *domain.User, classID string, userID int64) error
	PasswordLinkUser(ctx context.Context, token string) (*domain.User, error)
	SetPasswordWithLink(ctx context.Context, token, password string) (*domain.User, int64, error)
	Staff(ctx context.Context, viewer *domain.User) ([]*domain.User, error)
	SetSiteRole(ctx context.Context, viewer *domain.User, username string, role domain.Role) error
}

// WithBaseURL sets the server's public URL ("https://kcna.example.org"), which set-password and
// invite links start with. Without it they start with the scheme and host of the request.
func WithBaseURL(u string) Option {
	return func(s *Server) { s.baseURL = strings.TrimRight(u, "/") }
}

// peopleRoutes are the pages of classes and their people, for signed-in users.
func (s *Server) peopleRoutes(r chi.Router) {
	r.Get("/classes", s.handleClasses)
	r.Get("/classes/new", s.handleNewClassForm)
	r.Post("/classes", s.handleCreateClass)
	r.Get("/classes/{classID}", s.handleClass)
	r.Post("/classes/{classID}/invite", s.handleInvite)
	r.Post("/classes/{classID}/roster", s.handleImportRoster)
	r.Post("/classes/{classID}/students/{userID}/{action}", s.handleStudentAction)
	r.Get("/join", s.handleJoinForm)
	r.Get("/join/{code}", s.handleJoinPage)
	r.Post("/join/{code}", s.handleJoin)
	r.Get("/admin/staff", s.handleStaff)
	r.Post("/admin/staff", s.handleSetRole)
}

// peoplePublicRoutes are reached before signing in: a set-password link.
func (s *Server) peoplePublicRoutes(r chi.Router) {
	r.Get(classroom.SetPasswordPath+"{token}", s.handleSetPasswordForm)
	r.Post(classroom.SetPasswordPath+"{token}", s.handleSetPassword)
}

// linkBase is what links handed out start with: the configured public URL, else this request's
// scheme and host.
func (s *Server) linkBase(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func isStaffUser(u *domain.User) bool {
	return u != nil && (u.Role == domain.RoleInstructor || u.Role == domain.RoleAdmin)
}

func (s *Server) handleClasses(w http.ResponseWriter, r *http.Request) {
	u := user(r)
	classes, err := s.classroom.Classes(r.Context(), u)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.ClassesVM{Page: s.page(r, "Classes", "classes"), CanCreate: isStaffUser(u), Admin: u.Role == domain.RoleAdmin}
	for _, c := range classes {
		card := pages.ClassCardVM{ID: c.ID, Title: c.Title, Section: c.Section,
			Instructors: strings.Join(c.Instructors, ", "), Students: c.Students}
		if c.Role == domain.ClassInstructor {
			card.URL = "/classes/" + c.ID
			vm.Teaching = append(vm.Teaching, card)
		} else {
			vm.Studying = append(vm.Studying, card)
			if c.ID == r.URL.Query().Get("joined") {
				vm.Joined = c.Title
			}
		}
	}
	s.render(w, r, http.StatusOK, pages.Classes(vm))
}

// noPage is what a learner is told about a staff-only page: that there is none.
func noPage(r *http.Request) error {
	return domain.Errorf(domain.ENOTFOUND, "There is no page at %s.", r.URL.Path)
}

func (s *Server) handleNewClassForm(w http.ResponseWriter, r *http.Request) {
	if !isStaffUser(user(r)) {
		s.Error(w, r, noPage(r))
		return
	}
	s.render(w, r, http.StatusOK, pages.NewClass(pages.NewClassVM{Page: s.page(r, "New class", "classes")}))
}

func (s *Server) handleCreateClass(w http.ResponseWriter, r *http.Request) {
	if !isStaffUser(user(r)) {
		s.Error(w, r, noPage(r))
		return
	}
	vm := pages.NewClassVM{Page: s.page(r, "New class", "classes"), ID: strings.TrimSpace(r.PostFormValue("id")),
		Title: r.PostFormValue("title"), Sections: r.PostFormValue("sections")}
	c, err := s.classroom.CreateClass(r.Context(), user(r), vm.ID, vm.Title, strings.Split(vm.Sections, ","))
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT {
		vm.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, pages.NewClass(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if _, err := s.classroom.RotateInvite(r.Context(), user(r), c.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/classes/"+c.ID, http.StatusSeeOther)
}

func (s *Server) classVM(r *http.Request, notice string) (pages.ClassVM, error) {
	c, roster, err := s.classroom.Roster(r.Context(), user(r), chi.URLParam(r, "classID"))
	if err != nil {
		return pages.ClassVM{}, err
	}
	vm := pages.ClassVM{Page: s.page(r, c.Title, "classes"), ID: c.ID, Title: c.Title, Sections: c.Sections,
		InviteCode: c.InviteCode, Notice: notice, Labs: s.classLabsVM(r.Context(), c.ID)}
	if c.InviteCode != "" {
		vm.InviteURL = s.linkBase(r) + classroom.JoinPath + c.InviteCode
	}
	for _, m := range roster {
		id := strconv.FormatInt(m.User.ID, 10)
		vm.Members = append(vm.Members, pages.MemberVM{UserID: id, Username: m.User.Username, Name: m.User.DisplayName,
			Email: m.Email, Section: m.Section, Instructor: m.Role == domain.ClassInstructor, Disabled: m.User.Disabled,
			PasswordSet: m.PasswordSet, ActionURL: "/classes/" + c.ID + "/students/" + id})
		if m.Role == domain.ClassStudent {
			vm.Students++
			if !m.PasswordSet {
				vm.Pending++
			}
		}
	}
	return vm, nil
}

func (s *Server) handleClass(w http.ResponseWriter, r *http.Request) {
	notices := map[string]string{"disabled": "Disabled: their sessions have ended.", "enabled": "Enabled again.",
		"removed": "Removed from the class; their account and work stay.", "rotated": "New invite code: old links no longer work.",
		"off": "Joining by link is off.", "warm": "Pre-warm scheduled: the environments will be ready at its time.",
		"warm-cancelled": "Pre-warm cancelled; environments it prepared stay in the pool."}
	vm, err := s.classVM(r, notices[r.URL.Query().Get("done")])
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.Class(vm))
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "classID")
	var err error
	done := "rotated"
	if r.PostFormValue("action") == "off" {
		err, done = s.classroom.DisableInvite(r.Context(), user(r), id), "off"
	} else {
		_, err = s.classroom.RotateInvite(r.Context(), user(r), id)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/classes/"+id+"?done="+done, http.StatusSeeOther)
}

// handleImportRoster reads an uploaded roster (multipart field "roster", or the form field
// "csv" with the text) and shows the new accounts' set-password links, or every problem.
func (s *Server) handleImportRoster(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "classID")
	u := user(r)
	if _, err := s.classroom.Teach(r.Context(), u, id); err != nil {
		s.Error(w, r, err)
		return
	}
	file, body, err := rosterUpload(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := pages.PasswordLinksVM{Page: s.page(r, "Roster import", "classes"), ClassID: id, ClassURL: "/classes/" + id}
	res, err := s.classroom.ImportRoster(r.Context(), u, id, file, body, s.linkBase(r))
	var rerr *domain.RosterError
	if errors.As(err, &rerr) {
		vm.Heading = "The roster was not imported"
		for _, p := range rerr.Problems {
			vm.Problems = append(vm.Problems, p.String(file))
		}
		s.render(w, r, http.StatusUnprocessableEntity, pages.PasswordLinks(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm.Heading = fmt.Sprintf("Imported %d people: %d new accounts, %d existing", res.Rows, len(res.Created), len(res.Added))
	vm.Added = res.Added
	s.fillLinks(&vm, id, res.Created)
	s.render(w, r, http.StatusOK, pages.PasswordLinks(vm))
}

// rosterUpload returns the uploaded roster's name and content.
func rosterUpload(r *http.Request) (string, io.Reader, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(classroom.MaxRosterBytes); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return "", nil, domain.Errorf(domain.EINVALID, "The file is larger than %d KiB.", tooBig.Limit>>10)
			}
			return "", nil, domain.Errorf(domain.EINVALID, "The upload could not be read.")
		}
		f, h, err := r.FormFile("roster")
		if err != nil {
			return "", nil, domain.Errorf(domain.EINVALID, "Choose a roster file to upload.")
		}
		return h.Filename, f, nil
	}
	text := r.PostFormValue("csv")
	if text == "" {
		return "", nil, domain.Errorf(domain.EINVALID, "Choose a roster file to upload.")
	}
	return "roster.csv", strings.NewReader(text), nil
}

// fillLinks puts the links in the page, and as a CSV file to download (a data: URL: the
// links exist only in this response, never stored).
func (s *Server) fillLinks(vm *pages.PasswordLinksVM, classID string, links []domain.SetPasswordLink) {
	for _, l := range links {
		vm.Links = append(vm.Links, pages.PasswordLinkVM{Username: l.Username, Name: l.Name, Section: l.Section,
			URL: l.URL, Expires: l.ExpiresAt.Format("2 Jan 2006 15:04 MST")})
	}
	vm.CSVURL = "data:text/csv;charset=utf-8," + url.PathEscape(string(classroom.LinksCSV(links)))
	vm.CSVName = classID + "-password-links.csv"
}

func (s *Server) handleStudentAction(w http.ResponseWriter, r *http.Request) {
	id, u := chi.URLParam(r, "classID"), user(r)
	userID, err := strconv.ParseInt(chi.URLParam(r, "userID"), 10, 64)
	if err != nil {
		s.Error(w, r, noPage(r))
		return
	}
	var done string
	switch chi.URLParam(r, "action") {
	case "reset":
		link, err := s.classroom.ResetPassword(r.Context(), u, id, userID, s.linkBase(r))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		vm := pages.PasswordLinksVM{Page: s.page(r, "New password link", "classes"), ClassID: id, ClassURL: "/classes/" + id,
			Heading: "New password link for " + link.Username + ": their password and older links no longer work, and their sessions have ended"}
		s.fillLinks(&vm, id, []domain.SetPasswordLink{link})
		s.render(w, r, http.StatusOK, pages.PasswordLinks(vm))
		return
	case "disable":
		err, done = s.classroom.SetStudentDisabled(r.Context(), u, id, userID, true), "disabled"
	case "enable":
		err, done = s.classroom.SetStudentDisabled(r.Context(), u, id, userID, false), "enabled"
	case "remove":
		err, done = s.classroom.RemoveStudent(r.Context(), u, id, userID), "removed"
	default:
		err = noPage(r)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/classes/"+id+"?done="+done, http.StatusSeeOther)
}

func (s *Server) handleSetPasswordForm(w http.ResponseWriter, r *http.Request) {
	vm := pages.SetPasswordVM{Page: s.page(r, "Set your password", "")}
	u, err := s.classroom.PasswordLinkUser(r.Context(), chi.URLParam(r, "token"))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		vm.Spent, vm.Error = true, domain.ErrorMessage(err)
		s.render(w, r, http.StatusNotFound, pages.SetPassword(vm))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm.Username = u.Username
	s.render(w, r, http.StatusOK, pages.SetPassword(vm))
}

// handleSetPassword spends the link and signs the user in with a renewed session token.
func (s *Server) handleSetPassword(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	vm := pages.SetPasswordVM{Page: s.page(r, "Set your password", "")}
	fail := func(status int, err error) {
		vm.Error = domain.ErrorMessage(err)
		if u, err := s.classroom.PasswordLinkUser(r.Context(), token); err == nil {
			vm.Username = u.Username
		} else {
			vm.Spent = true
		}
		s.render(w, r, status, pages.SetPassword(vm))
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		fail(http.StatusUnprocessableEntity, domain.Errorf(domain.EINVALID, "The two passwords differ."))
		return
	}
	u, gen, err := s.classroom.SetPasswordWithLink(r.Context(), token, pw)
	switch domain.ErrorCode(err) {
	case "":
	case domain.EINVALID:
		fail(http.StatusUnprocessableEntity, err)
		return
	case domain.ENOTFOUND:
		fail(http.StatusNotFound, err)
		return
	case domain.EFORBIDDEN:
		fail(http.StatusForbidden, err)
		return
	default:
		s.Error(w, r, err)
		return
	}
	if s.sessions != nil {
		if err := s.sessions.RenewToken(r.Context()); err != nil {
			s.Error(w, r, err)
			return
		}
		s.sessions.Put(r.Context(), sessionUserKey, u.ID)
		s.sessions.Put(r.Context(), sessionGenKey, gen)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

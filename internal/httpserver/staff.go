package httpserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

func (s *Server) staffVM(r *http.Request) (pages.StaffVM, error) {
	staff, err := s.classroom.Staff(r.Context(), user(r))
	if err != nil {
		return pages.StaffVM{}, err
	}
	vm := pages.StaffVM{Page: s.page(r, "Instructors", "staff")}
	for _, u := range staff {
		vm.Staff = append(vm.Staff, pages.StaffRowVM{Username: u.Username, Name: u.DisplayName, Role: string(u.Role), Disabled: u.Disabled})
	}
	return vm, nil
}

func (s *Server) handleStaff(w http.ResponseWriter, r *http.Request) {
	vm, err := s.staffVM(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.Staff(vm))
}

func (s *Server) handleSetRole(w http.ResponseWriter, r *http.Request) {
	username, role := strings.TrimSpace(r.PostFormValue("username")), domain.Role(r.PostFormValue("role"))
	err := s.classroom.SetSiteRole(r.Context(), user(r), username, role)
	code := domain.ErrorCode(err)
	if code != "" && code != domain.EINVALID && !(code == domain.ENOTFOUND && user(r).Role == domain.RoleAdmin) {
		s.Error(w, r, err)
		return
	}
	vm, verr := s.staffVM(r)
	if verr != nil {
		s.Error(w, r, verr)
		return
	}
	if err != nil {
		vm.Error, vm.Username = domain.ErrorMessage(err), username
		s.render(w, r, http.StatusUnprocessableEntity, pages.Staff(vm))
		return
	}
	vm.Notice = fmt.Sprintf("%s is now %s.", username, role)
	s.render(w, r, http.StatusOK, pages.Staff(vm))
}

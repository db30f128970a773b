package httpserver

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// LabService is what the lab pages need from the lab engine (internal/lab.Service). Handlers
// never touch clusters themselves.
type LabService interface {
	Backend() string
	Available(ctx context.Context) error // why labs cannot run now, or nil
	Start(ctx context.Context, userID int64, labID string) (*domain.LabSession, error)
	Session(ctx context.Context, userID int64, labID string) (*domain.LabSession, error)
	Touch(ctx context.Context, userID int64, labID string) error
	Sessions(ctx context.Context, userID int64) ([]*domain.LabSession, error)
	Check(ctx context.Context, userID int64, labID string) (*domain.LabReport, error)
	Reset(ctx context.Context, userID int64, labID string) (*domain.LabSession, error)
	Stop(ctx context.Context, userID int64, labID string) (*domain.LabSession, error)
	Kubeconfig(ctx context.Context, userID int64, labID string) (path string, data []byte, err error)
	RevealHint(ctx context.Context, userID int64, labID, taskID string) (int, error)
}

// WithLabs serves hands-on labs with the lab service. Without it the lab pages show the labs
// but say they cannot run.
func WithLabs(l LabService) Option { return func(s *Server) { s.labs = l } }

func (s *Server) mountLabs(r chi.Router) {
	r.Get("/labs", s.handleLabs)
	r.Route("/labs/{labID}", func(r chi.Router) {
		r.Get("/", s.handleLab)
		r.Get("/session", s.handleLabSession)
		r.Get("/kubeconfig", s.handleLabKubeconfig)
		r.Get("/terminal", s.handleLabTerminal)
		r.Post("/start", s.labAction(func(ctx context.Context, uid int64, id string) error {
			_, err := s.labs.Start(ctx, uid, id)
			return err
		}))
		r.Post("/check", s.labAction(func(ctx context.Context, uid int64, id string) error {
			_, err := s.labs.Check(ctx, uid, id)
			return err
		}))
		r.Post("/reset", s.labAction(func(ctx context.Context, uid int64, id string) error {
			_, err := s.labs.Reset(ctx, uid, id)
			return err
		}))
		r.Post("/stop", s.labAction(func(ctx context.Context, uid int64, id string) error {
			_, err := s.labs.Stop(ctx, uid, id)
			return err
		}))
		r.Post("/tasks/{taskID}/hint", s.handleLabHint)
	})
}

func (s *Server) labFromRequest(r *http.Request) (*catalog.Lab, error) {
	l := s.catalog.Lab(chi.URLParam(r, "labID"))
	if l == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no such lab.")
	}
	return l, nil
}

// runnableLab is the request's lab, for an action that needs a lab backend.
func (s *Server) runnableLab(r *http.Request) (*catalog.Lab, error) {
	l, err := s.labFromRequest(r)
	if err != nil {
		return nil, err
	}
	if s.labs == nil {
		return nil, domain.Errorf(domain.EINVALID, "Labs are not available on this server.")
	}
	return l, nil
}

func (s *Server) handleLabs(w http.ResponseWriter, r *http.Request) {
	vm := pages.LabsVM{Page: s.page(r, "Labs", "labs"), Enabled: s.labs != nil,
		Disabled: "Labs cannot run on this server: no lab backend is configured."}
	status := map[string]string{}
	if s.labs != nil {
		if err := s.labs.Available(r.Context()); err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				s.Error(w, r, err)
				return
			}
			vm.Enabled, vm.Disabled = false, domain.ErrorMessage(err)
		}
		vm.Backend = s.labs.Backend()
		active, err := s.labs.Sessions(r.Context(), user(r).ID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		for _, a := range active {
			status[a.LabID] = string(a.State)
		}
	}
	for _, d := range s.catalog.Domains {
		if len(d.Labs) == 0 {
			continue
		}
		g := pages.LabDomainGroup{Title: d.Title}
		for _, l := range d.Labs {
			g.Labs = append(g.Labs, pages.LabCard{ID: l.ID, Title: l.Title, Summary: l.Summary, URL: l.URL(),
				Minutes: l.Minutes, Scope: l.Scope, Competencies: competencyTitles(l.Competencies), Status: status[l.ID]})
		}
		vm.Domains = append(vm.Domains, g)
	}
	s.render(w, r, http.StatusOK, pages.Labs(vm))
}

func competencyTitles(cs []*catalog.Competency) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Title
	}
	return out
}

// session returns the learner's latest session of the lab, or nil when there is none.
func (s *Server) labSession(r *http.Request, l *catalog.Lab) (*domain.LabSession, error) {
	if s.labs == nil {
		return nil, nil
	}
	sess, err := s.labs.Session(r.Context(), user(r).ID, l.ID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return sess, err
}

func (s *Server) handleLab(w http.ResponseWriter, r *http.Request) {
	l, err := s.labFromRequest(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sess, err := s.labSession(r, l)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if sess != nil { // opening the page is activity: the lab's idle timer starts again
		if err := s.labs.Touch(r.Context(), user(r).ID, l.ID); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	vm := pages.LabVM{Page: s.page(r, l.Title, "labs"), ID: l.ID, Title: l.Title, Summary: l.Summary,
		DomainTitle: l.Domain.Title, DomainURL: l.Domain.URL(), Minutes: l.Minutes, Scope: l.Scope,
		Competencies: competencyTitles(l.Competencies), IntroHTML: l.IntroHTML, Session: s.sessionVM(r, l, sess)}
	if ts, ok := s.labs.(TerminalService); ok && ts.HasToolbox() {
		nonce := styleNonce()
		w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "style-src 'self'", "style-src 'self' 'nonce-"+nonce+"'", 1))
		vm.Terminal = &pages.LabTerminalVM{URL: l.URL() + "/terminal", Nonce: nonce,
			CSS: s.assets.URL("vendor/xterm.css"), Xterm: s.assets.URL("vendor/xterm.js"),
			Fit: s.assets.URL("vendor/xterm-addon-fit.js"), Links: s.assets.URL("vendor/xterm-addon-web-links.js"),
			JS: s.assets.URL("terminal.js")}
	}
	for _, t := range l.Tasks {
		vm.Tasks = append(vm.Tasks, taskVM(l, t, sess))
	}
	s.render(w, r, http.StatusOK, pages.Lab(vm))
}

func taskVM(l *catalog.Lab, t catalog.LabTask, sess *domain.LabSession) pages.LabTaskVM {
	vm := pages.LabTaskVM{ID: t.ID, Title: t.Title, HTML: t.HTML, HintURL: l.URL() + "/tasks/" + t.ID + "/hint",
		CanHint: sess != nil, HintsLeft: len(t.Hints)}
	for _, c := range t.Checks {
		vm.Checks = append(vm.Checks, c.Message)
	}
	if sess != nil {
		n := min(sess.Hints[t.ID], len(t.Hints))
		vm.Hints, vm.HintsLeft = t.Hints[:n], len(t.Hints)-n
	}
	return vm
}

func (s *Server) sessionVM(r *http.Request, l *catalog.Lab, sess *domain.LabSession) pages.LabSessionVM {
	vm := pages.LabSessionVM{URL: l.URL(), Enabled: s.labs != nil,
		Disabled: "Labs are not available on this server: it has no lab backend."}
	if sess == nil {
		return vm
	}
	vm.State, vm.Busy, vm.Job, vm.Error = string(sess.State), sess.State.Busy(), sess.Job, sess.Error
	vm.Namespace, vm.Cluster = sess.Namespace, sess.Cluster
	now := time.Now()
	if len(sess.Steps) > 0 {
		vm.Elapsed = "for " + formatDuration(now.Sub(sess.Steps[0].StartedAt))
	}
	for _, st := range sess.Steps {
		end := st.EndedAt
		if st.Running() {
			end = now
		}
		vm.Steps = append(vm.Steps, pages.LabStepVM{Name: st.Name, Took: formatDuration(end.Sub(st.StartedAt)),
			Running: st.Running() && sess.State.Busy(), Error: st.Error})
	}
	if sess.State == domain.LabReady && s.kubeconfigUsable(r) {
		vm.Export = "export KUBECONFIG=" + shellQuote(sess.Kubeconfig)
		vm.DownloadURL = l.URL() + "/kubeconfig"
	}
	if ts, ok := s.labs.(TerminalService); ok && ts.HasToolbox() {
		vm.Terminal = true
	}
	if rep := sess.LastReport; rep != nil && sess.State.Active() {
		p, t := rep.Counts()
		rvm := &pages.LabReportVM{Passed: p, Total: t, AllPassed: rep.AllPassed(),
			CheckedAt: rep.CheckedAt.Local().Format("15:04:05"), Took: formatDuration(rep.Took)}
		for _, tr := range rep.Tasks {
			tvm := pages.LabTaskResultVM{Title: tr.Title, Passed: tr.Passed()}
			for _, c := range tr.Checks {
				tvm.Checks = append(tvm.Checks, pages.LabCheckResultVM{Message: c.Message, Detail: c.Detail, Passed: c.Passed})
			}
			rvm.Tasks = append(rvm.Tasks, tvm)
		}
		vm.Report = rvm
	}
	return vm
}

// shellQuote quotes a path for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// handleLabSession renders the session panel alone (htmx polls it while a job runs).
func (s *Server) handleLabSession(w http.ResponseWriter, r *http.Request) {
	l, err := s.labFromRequest(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, l.URL()+"#lab-session", http.StatusSeeOther)
		return
	}
	s.renderSession(w, r, l, "")
}

func (s *Server) renderSession(w http.ResponseWriter, r *http.Request, l *catalog.Lab, notice string) {
	sess, err := s.labSession(r, l)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm := s.sessionVM(r, l, sess)
	vm.Notice = notice
	s.render(w, r, http.StatusOK, pages.LabSession(vm))
}

// labAction runs an action on the learner's lab, then shows the session panel (htmx) or
// redirects back to the lab page. An action the lab's state refuses is shown in the panel.
func (s *Server) labAction(do func(ctx context.Context, userID int64, labID string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, err := s.runnableLab(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		err = do(r.Context(), user(r).ID, l.ID)
		code := domain.ErrorCode(err)
		if err != nil && (code == domain.EINTERNAL || !isHTMX(r)) {
			s.Error(w, r, err)
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, l.URL()+"#lab-session", http.StatusSeeOther)
			return
		}
		s.renderSession(w, r, l, domain.ErrorMessage(err))
	}
}

func (s *Server) handleLabKubeconfig(w http.ResponseWriter, r *http.Request) {
	l, err := s.runnableLab(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !s.kubeconfigUsable(r) {
		s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "The lab's kubeconfig works only on the server's own machine: use the lab's terminal."))
		return
	}
	_, data, err := s.labs.Kubeconfig(r.Context(), user(r).ID, l.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Content-Disposition", `attachment; filename="kcnaprep-`+l.ID+`.kubeconfig"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

func (s *Server) handleLabHint(w http.ResponseWriter, r *http.Request) {
	l, err := s.runnableLab(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	taskID := chi.URLParam(r, "taskID")
	if _, err := s.labs.RevealHint(r.Context(), user(r).ID, l.ID, taskID); err != nil {
		s.Error(w, r, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, l.URL()+"#task-"+taskID, http.StatusSeeOther)
		return
	}
	sess, err := s.labSession(r, l)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	for _, t := range l.Tasks {
		if t.ID == taskID {
			s.render(w, r, http.StatusOK, pages.LabHints(taskVM(l, t, sess)))
			return
		}
	}
	s.Error(w, r, domain.Errorf(domain.ENOTFOUND, "No such task."))
}

package pages

import "github.com/kcnaprep/kcnaprep/web/components"

// LabsVM is the list of labs.
type LabsVM struct {
	Page     components.Page
	Enabled  bool   // labs can run: a lab backend is configured, and what it needs is there
	Disabled string // why labs cannot run, when not Enabled
	Backend  string // "kind" or "kubeconfig"
	Domains  []LabDomainGroup
}

// LabDomainGroup is one domain's labs.
type LabDomainGroup struct {
	Title string
	Labs  []LabCard
}

// LabCard is one lab in the list.
type LabCard struct {
	ID, Title, Summary, URL string
	Minutes                 int
	Scope                   string
	Competencies            []string
	Status                  string // the learner's active session state, or ""
}

// LabVM is a lab's page.
type LabVM struct {
	Page         components.Page
	ID, Title    string
	Summary      string
	DomainTitle  string
	DomainURL    string
	Minutes      int
	Scope        string
	Competencies []string
	IntroHTML    string // rendered by internal/markdown, raw HTML stripped
	Session      LabSessionVM
	Tasks        []LabTaskVM
	Terminal     *LabTerminalVM // nil without a toolbox
}

// LabTerminalVM is the browser terminal: its WebSocket and assets, and the nonce that lets
// xterm.js add its styles under the page's Content-Security-Policy.
type LabTerminalVM struct {
	URL, Nonce                 string
	CSS, Xterm, Fit, Links, JS string
}

// LabSessionVM is the session panel: start, live progress, kubectl access, check results.
// It is also rendered alone, for htmx polling and actions.
type LabSessionVM struct {
	URL         string // the lab's page; actions are URL + "/start" and so on
	Enabled     bool
	Disabled    string // why labs cannot run here, when not Enabled
	State       string // "" when never started
	Busy        bool   // a job runs: the panel polls
	Job         string
	Steps       []LabStepVM
	Elapsed     string // of the current job
	Error       string
	Notice      string // the answer to an action that could not be done
	Export      string // export KUBECONFIG=...
	DownloadURL string
	Terminal    bool // the lab page has a terminal (the panel says so when there is no kubeconfig)
	Namespace   string
	Cluster     string
	Report      *LabReportVM
}

// LabStepVM is one step of a job.
type LabStepVM struct {
	Name    string
	Took    string
	Running bool
	Error   string
}

// LabReportVM is the latest check.
type LabReportVM struct {
	Passed, Total int
	AllPassed     bool
	CheckedAt     string
	Took          string
	Tasks         []LabTaskResultVM
}

// LabTaskResultVM is one task's results.
type LabTaskResultVM struct {
	Title  string
	Passed bool
	Checks []LabCheckResultVM
}

// LabCheckResultVM is one check's result.
type LabCheckResultVM struct {
	Message, Detail string
	Passed          bool
}

// LabTaskVM is one task, with the hints revealed so far.
type LabTaskVM struct {
	ID, Title string
	HTML      string
	Checks    []string // requirements, in the learner's words
	Hints     []string // revealed hints, rendered HTML
	HintsLeft int
	HintURL   string
	CanHint   bool // a session exists, so hints can be revealed
}

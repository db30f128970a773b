package domain

import "time"

// Scopes of a lab, as its lab.yaml declares them.
const (
	LabScopeNamespace = "namespace" // runs in a namespace of its own; classroom-safe
	LabScopeCluster   = "cluster"   // changes cluster-wide state; needs a cluster of its own
)

// LabState is where a lab session is in its life.
type LabState string

// Lab session states. provisioning, resetting and stopping are background jobs; ready is the
// learner's turn; ended and failed are final.
const (
	LabProvisioning LabState = "provisioning"
	LabReady        LabState = "ready"
	LabResetting    LabState = "resetting"
	LabStopping     LabState = "stopping"
	LabEnded        LabState = "ended"
	LabFailed       LabState = "failed"
)

// Active reports whether the session still holds (or is getting) a cluster environment.
func (s LabState) Active() bool { return s != LabEnded && s != LabFailed }

// Busy reports whether a background job is running on the session.
func (s LabState) Busy() bool {
	return s == LabProvisioning || s == LabResetting || s == LabStopping
}

// LabSession is one learner's run of one lab.
type LabSession struct {
	ID           string
	UserID       int64
	LabID        string
	Backend      string // "kind" or "kubeconfig"
	State        LabState
	Error        string // why it failed, safe to show
	Cluster      string // the backend's name for the cluster
	Namespace    string // where the lab runs
	Kubeconfig   string // path of the learner's kubeconfig file, once ready
	Job          string // the latest background job: "start", "reset" or "stop"
	Steps        []LabStep
	Hints        map[string]int // hints revealed, by task id
	LastReport   *LabReport     // the latest check, or nil
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastActiveAt time.Time // the learner's last action; idle sessions expire
	ReadyAt      time.Time // zero until ready
	EndedAt      time.Time // zero until ended or failed
}

// LabStep is one step of a background job, e.g. "Create cluster".
type LabStep struct {
	Name      string
	StartedAt time.Time
	EndedAt   time.Time // zero while running
	Error     string
}

// Running reports whether the step has not ended.
func (s LabStep) Running() bool { return s.EndedAt.IsZero() }

// LabReport is the outcome of grading a lab: every check of every task.
type LabReport struct {
	CheckedAt time.Time       `json:"checked_at"`
	Took      time.Duration   `json:"took"`
	Tasks     []LabTaskResult `json:"tasks"`
}

// LabTaskResult is the outcome of one task's checks.
type LabTaskResult struct {
	ID     string           `json:"id"`
	Title  string           `json:"title"`
	Checks []LabCheckResult `json:"checks"`
}

// LabCheckResult is one check: its learner-facing message and, when it failed, what was seen.
type LabCheckResult struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Passed  bool   `json:"passed"`
	Detail  string `json:"detail,omitempty"`
}

// Passed reports whether every check of the task passed.
func (t LabTaskResult) Passed() bool {
	for _, c := range t.Checks {
		if !c.Passed {
			return false
		}
	}
	return true
}

// Counts returns how many checks passed, of how many.
func (r *LabReport) Counts() (passed, total int) {
	for _, t := range r.Tasks {
		for _, c := range t.Checks {
			total++
			if c.Passed {
				passed++
			}
		}
	}
	return passed, total
}

// AllPassed reports whether every check passed (and there was at least one).
func (r *LabReport) AllPassed() bool {
	p, t := r.Counts()
	return t > 0 && p == t
}

// LabPoolState is where a pooled lab environment is: being prepared, or ready to claim.
type LabPoolState string

// Pooled environment states.
const (
	LabPoolProvisioning LabPoolState = "provisioning"
	LabPoolReady        LabPoolState = "ready"
)

// LabPoolEnv is a lab environment prepared before any learner asked (the warm pool): a
// learner's Start claims a ready one and applies only the lab's set-up.
type LabPoolEnv struct {
	ID        string
	Backend   string
	Cluster   string
	Namespace string // "" for a whole cluster
	State     LabPoolState
	CreatedAt time.Time
	UpdatedAt time.Time
	ReadyAt   time.Time // zero until ready
}

// LabWarmState is where an instructor's pre-warm ("N environments at 9:00") is.
type LabWarmState string

// Pre-warm states: scheduled (waiting for its start), warming (environments being prepared),
// done (the pool held them), missed (the server was down until well after its time), failed,
// cancelled.
const (
	LabWarmScheduled LabWarmState = "scheduled"
	LabWarmWarming   LabWarmState = "warming"
	LabWarmDone      LabWarmState = "done"
	LabWarmMissed    LabWarmState = "missed"
	LabWarmFailed    LabWarmState = "failed"
	LabWarmCancelled LabWarmState = "cancelled"
)

// Pending reports whether the pre-warm has still to run (or is running).
func (s LabWarmState) Pending() bool { return s == LabWarmScheduled || s == LabWarmWarming }

// LabWarmSchedule is an instructor's request that Count lab environments be ready in the warm
// pool at ReadyAt (for a class, or from the command line when ClassID is "").
type LabWarmSchedule struct {
	ID        int64
	ClassID   string
	Count     int
	ReadyAt   time.Time
	State     LabWarmState
	CreatedBy int64 // 0 from the command line
	CreatedAt time.Time
	StartedAt time.Time // zero until warming starts
	DoneAt    time.Time // zero until it ends
	Error     string
}

// LabPoolOverview is the warm pool as an instructor sees it.
type LabPoolOverview struct {
	Backend   string
	CanPool   bool // the backend can prepare environments in advance
	Target    int  // the standing pool (--lab-pool)
	Ready     int
	Preparing int
	Estimate  time.Duration // to prepare one environment
}

package pages

import "github.com/kcnaprep/kcnaprep/web/components"

// LocalTime is a time shown in the reader's time zone: app.js rewrites Text (UTC) from ISO
// with the browser's zone; without scripts the UTC text stays.
type LocalTime struct {
	ISO  string // RFC 3339, UTC; "" for none
	Text string // e.g. "Mon 2 Mar 2026, 14:00 UTC"
}

// ClassNavVM links the instructor's pages of a class.
type ClassNavVM struct {
	ClassID, Title string
	Current        string // "assignments", "gradebook", "heatmap"
}

// AssignmentRowVM is one assignment in a list.
type AssignmentRowVM struct {
	ID       int64
	Title    string
	Kind     string
	Section  string // "" whole class
	Opens    LocalTime
	Due      LocalTime
	Closes   LocalTime
	Settings string // exam settings in words
	URL      string // the student's view
	LiveURL  string // exams: the live view
}

// ClassAssignmentsVM is the instructor's list of a class's assignments and the form to add one.
type ClassAssignmentsVM struct {
	Page        components.Page
	Nav         ClassNavVM
	Assignments []AssignmentRowVM
	Sections    []string
	Labs        []Option
	Domains     []Option // domains and competencies, for lessons and practice
	Error       string
	Form        AssignFormVM
}

// Option is a value and its label in a select.
type Option struct{ Value, Label string }

// AssignFormVM is what the instructor typed, kept when the form is refused.
type AssignFormVM struct {
	Kind, Title, Section, Ref, Count, Minutes, Attempts, Grading, Review, Source, Opens, Due string
}

// GradebookVM is a class's students x assignments.
type GradebookVM struct {
	Page        components.Page
	Nav         ClassNavVM
	Assignments []AssignmentRowVM
	Rows        []GradeRowVM
	CSVURL      string
	JSONURL     string
}

// GradeRowVM is one student's line.
type GradeRowVM struct {
	Username, Name, Section string
	URL                     string // the student page
	Cells                   []GradeCellVM
	LastActivity            LocalTime
}

// GradeCellVM is one cell: Text is exactly the CSV's cell.
type GradeCellVM struct {
	Text   string
	Status string // css hook: not-started, in-progress, done, late, none
	Late   bool
	Last   LocalTime
}

// HeatMapVM is a class's accuracy per competency.
type HeatMapVM struct {
	Page     components.Page
	Nav      ClassNavVM
	Columns  []string
	Rows     []HeatRowVM
	Students int
}

// HeatRowVM is one competency.
type HeatRowVM struct {
	Title, Domain string
	Cells         []HeatCellVM
}

// HeatCellVM is one cell of the heat map.
type HeatCellVM struct {
	Percent, Correct, Total int
	Level                   string // css hook: none, weak, fair, good
}

// StudentReportVM is an instructor's page on one student.
type StudentReportVM struct {
	Page         components.Page
	Nav          ClassNavVM
	Username     string
	Name         string
	Section      string
	Email        string
	Readiness    ReadinessVM
	Work         []StudentWorkVM
	Domains      []AccuracyVM
	Competencies []AccuracyVM
	Exams        []ExamRowVM
	LabsPassed   []LabPassVM
	ReviewDue    int
	ReviewTotal  int
}

// StudentWorkVM is the student's work on one assignment.
type StudentWorkVM struct {
	Title, Text, Status string
	Due                 LocalTime
}

// AccuracyVM is right answers in an area.
type AccuracyVM struct {
	Title                   string
	Correct, Total, Percent int
}

// LabPassVM is a lab passed.
type LabPassVM struct {
	Title  string
	Passed LocalTime
}

// LiveExamVM is the live view of an exam assignment.
type LiveExamVM struct {
	Page       components.Page
	Nav        ClassNavVM
	Assignment AssignmentRowVM
	Rows       LiveRowsVM
	OpenURL    string
	Window     string // the default window in minutes
}

// LiveRowsVM is the polled part of the live view.
type LiveRowsVM struct {
	URL                string // where htmx polls
	Started, Submitted int
	Students           int
	Rows               []LiveRowVM
	ExtraURL           string
	Now                LocalTime
}

// LiveRowVM is one student in a live exam.
type LiveRowVM struct {
	UserID          int64
	Username, Name  string
	State           string // not started, in progress, submitted
	Answered, Total int
	Deadline        LocalTime
	Score           string
	Extra           int
}

// StudentAssignmentVM is an assignment as its student sees it.
type StudentAssignmentVM struct {
	Page       components.Page
	ClassTitle string
	A          AssignmentRowVM
	Status     string
	Text       string
	Overdue    bool
	Open       bool
	Preview    bool // an instructor looking
	StartURL   string
	ExamURL    string // the attempt in progress, or the counted one's result
	Attempts   string
	Items      []ItemVM
	LabURL     string
	Error      string
}

// ItemVM is a lesson or question of an assignment.
type ItemVM struct {
	Title, URL string
	Done       bool
}

// MyAssignmentVM is one line of the dashboard's assignments.
type MyAssignmentVM struct {
	Title, ClassTitle, URL string
	Kind                   string
	Status                 string // not started, in progress, done, late
	StatusClass            string
	Due                    LocalTime
	Overdue                bool
	Text                   string
}

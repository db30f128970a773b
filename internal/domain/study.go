package domain

import "time"

// ReportKinds are the kinds of problem a learner can report, with their labels.
var ReportKinds = []struct{ Value, Label string }{
	{"wrong-key", "The marked answer is wrong"},
	{"unclear", "The question is unclear or has two right answers"},
	{"outdated", "It is outdated (Kubernetes or the curriculum changed)"},
	{"typo", "Typo or broken link"},
	{"other", "Something else"},
}

// Report is a learner's report of a problem with a question.
type Report struct {
	ID         int64
	QuestionID string
	Kind       string
	Message    string
	Reporter   string
	CreatedAt  time.Time
	ResolvedAt time.Time // zero while open
}

// ReportFilter says which question reports to list.
type ReportFilter struct {
	IncludeResolved bool
	// InstructorID > 0 keeps the reports of students in the classes that user teaches; 0
	// keeps every report (an admin's view).
	InstructorID int64
}

// SearchDoc is one lesson as the search index sees it.
type SearchDoc struct {
	LessonID, Title, Body string
}

// SearchHit is one search result. Snippet marks matched terms with HitStart and HitEnd, so the
// page can highlight them without trusting any HTML.
type SearchHit struct {
	LessonID string
	Title    string
	Snippet  string
}

// Markers around matched terms in SearchHit.Snippet.
const (
	HitStart = "\x02"
	HitEnd   = "\x03"
)

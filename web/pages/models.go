// Package pages holds kcnaprep's pages: templ components and the view models they render.
// Handlers build view models from the catalog and the store; pages never see database rows.
package pages

import "github.com/kcnaprep/kcnaprep/web/components"

// LessonLink points at a lesson in a list.
type LessonLink struct {
	Title, URL string
	Minutes    int
	Done       bool
}

// LabLink points at a lab.
type LabLink struct {
	ID, Title, URL string
	Minutes        int
}

// QuestionLink points at a question.
type QuestionLink struct {
	ID, Summary, URL string
}

// RefLink is an official documentation reference.
type RefLink struct {
	Label, URL string
}

// DashboardVM is the home page.
type DashboardVM struct {
	Page         components.Page
	Domains      []DomainCard
	LessonsDone  int
	LessonsTotal int
	Continue     *LessonLink // the next lesson not yet completed, in reading order
	Exam         ExamSummary
	Questions    int
	Labs         int
	Reviews      ReviewCountsVM
	OpenExam     *OpenExamVM
	Readiness    ReadinessVM
	Assignments  []MyAssignmentVM // a student's class assignments, shown first
}

// ExamSummary describes the mock exam settings, saying which are official.
type ExamSummary struct {
	Questions, Minutes, PassScore, MaxScore          int
	QuestionsOfficial, MinutesOfficial, PassOfficial bool
	Notes                                            string
	CurriculumVersion                                string
}

// DomainCard is one domain on the dashboard.
type DomainCard struct {
	ID, Title, URL string
	Weight         int
	Done, Total    int
	Competencies   []CompetencyProgress
}

// CompetencyProgress is lesson progress in one competency.
type CompetencyProgress struct {
	ID, Title   string
	Done, Total int
}

// DomainVM is a domain's page.
type DomainVM struct {
	Page         components.Page
	ID, Title    string
	Weight       int
	Done, Total  int
	Questions    int
	PracticeURL  string
	Competencies []CompetencySection
}

// CompetencySection is one competency on its domain's page.
type CompetencySection struct {
	ID, Title   string
	Lessons     []LessonLink
	Questions   int
	PracticeURL string
	Labs        []LabLink
}

// LessonVM is a lesson's page.
type LessonVM struct {
	Page         components.Page
	ID, Title    string
	DomainTitle  string
	DomainURL    string
	Minutes      int
	Words        int
	Competencies []string
	Objectives   []string
	TOC          []TOCItem
	BodyHTML     string // rendered by internal/markdown, raw HTML stripped
	References   []RefLink
	Questions    []QuestionLink
	Labs         []LabLink
	Prev, Next   *LessonLink
	Complete     CompleteVM
}

// CompleteVM is the lesson's "mark complete" control, also rendered alone for htmx swaps.
type CompleteVM struct {
	URL         string
	Done        bool
	CompletedAt string
}

// TOCItem is one table-of-contents entry.
type TOCItem struct {
	Level    int
	ID, Text string
}

// SearchVM is the search page.
type SearchVM struct {
	Page  components.Page
	Query string
	Hits  []SearchHit
}

// SearchHit is one result.
type SearchHit struct {
	Title, URL, Domain string
	Snippet            []Segment
}

// Segment is a piece of a snippet; Hit marks a matched term.
type Segment struct {
	Text string
	Hit  bool
}

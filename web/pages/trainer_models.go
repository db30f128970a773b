package pages

import "github.com/kcnaprep/kcnaprep/web/components"

// QuestionVM is a question as shown to answer it.
type QuestionVM struct {
	ID              string
	Multiple        bool
	Pick            int // how many to pick
	Difficulty      int
	DomainTitle     string
	CompetencyTitle string
	StemHTML        string
	Options         []OptionVM
	BeyondKCNA      bool // deeper than the exam: practice only, never in a mock exam
}

// OptionVM is one choice. Value is its index in the question file; Number its place on screen.
type OptionVM struct {
	Value   int
	Number  int
	HTML    string
	Checked bool
}

// FeedbackVM explains an answered question: every option with its reason.
type FeedbackVM struct {
	Correct         bool
	Options         []FeedbackOption
	ExplanationHTML string
	References      []RefLink
	Lesson          *LessonLink
}

// FeedbackOption is one choice with why it is right or wrong.
type FeedbackOption struct {
	Number          int
	HTML, WhyHTML   string
	Correct, Picked bool
}

// FilterVM is the practice filter, for forms and links.
type FilterVM struct {
	Domain, Competency string
	Difficulty         int
	Weakest            bool
	Query              string // the filter as a URL query, without "?"
	Label              string // what is being practised, in words
}

// SelectOption is an option of a <select>.
type SelectOption struct {
	Value, Label string
	Selected     bool
	Group        string
}

// PracticeHomeVM is the practice start page.
type PracticeHomeVM struct {
	Page         components.Page
	Domains      []SelectOption
	Competencies []SelectOption
	Difficulties []SelectOption
	Weakest      bool
	Questions    int
}

// PracticeVM is one practice question, before or after answering.
type PracticeVM struct {
	Page      components.Page
	Filter    FilterVM
	Question  QuestionVM
	ActionURL string
	Token     string
	Feedback  *FeedbackVM // nil before answering
	NextURL   string
	Error     string
	ReportURL string
	// Review mode: rating buttons after feedback.
	Review  bool
	Ratings []RatingVM
	RateURL string
	Reps    int
	Due     ReviewCountsVM
}

// RatingVM is one recall-rating button.
type RatingVM struct {
	Value, Label, Interval string
	Key                    string // keyboard shortcut
}

// ReviewCountsVM counts the review queue.
type ReviewCountsVM struct {
	DueNow, DueToday, Total int
}

// ReviewEmptyVM is the review page with nothing due.
type ReviewEmptyVM struct {
	Page   components.Page
	Counts ReviewCountsVM
}

// ExamQuestionVM is one question of a running exam.
type ExamQuestionVM struct {
	Page       components.Page
	ExamID     int64
	Position   int
	Total      int
	Answered   int
	Question   QuestionVM
	Flagged    bool
	Navigator  []NavItem
	PrevURL    string
	NextURL    string
	AnswerURL  string
	FlagURL    string
	SubmitURL  string
	ResultURL  string
	DeadlineMs int64
	NowMs      int64  // the server's clock, so the page timer corrects for a skewed client clock
	Remaining  string // for readers without JavaScript
}

// NavItem is one cell of the exam navigator.
type NavItem struct {
	Position          int
	URL               string
	Answered, Flagged bool
	Current           bool
}

// ExamResultVM is a submitted exam's result page.
type ExamResultVM struct {
	Page                       components.Page
	ExamID                     int64
	Score, MaxScore, PassScore int
	Passed, Auto               bool
	Correct, Total             int
	TimeUsed, Limit            string
	Domains                    []AreaVM
	Chart                      BarChartVM // the domains' scores as bars, with the pass line
	Items                      []ResultItemVM
	// ReviewHidden says why the questions, answers and reasons are not shown (a class exam
	// whose instructor shows them after the due time, or never); "" shows them.
	ReviewHidden string
}

// BarChartVM is a horizontal bar chart of percentages with a pass line, drawn as inline SVG.
type BarChartVM struct {
	Title, Desc   string
	Width, Height int
	PassX         int // x of the pass line
	PassLabel     string
	Bars          []BarVM
}

// BarVM is one bar: its label above it, its length and whether it reaches the pass line.
type BarVM struct {
	ID, Label    string
	Percent      int
	LabelY, BarY int
	Width        int // bar length in px
	Passed       bool
}

// ReviewStatsVM is the review statistics page.
type ReviewStatsVM struct {
	Page               components.Page
	Forecast           []ForecastDayVM
	ForecastMax        int
	Retention          int // percent; -1 without reviews in the window
	Reviews, Forgotten int
	New, Young, Mature int
}

// ForecastDayVM is one day of the due forecast, with its bar's geometry.
type ForecastDayVM struct {
	Label   string
	Count   int
	X, Y, H int
}

// AreaVM is a domain's or competency's score.
type AreaVM struct {
	ID, Title      string
	Weight         int
	Correct, Total int
	Percent        int
	Competencies   []AreaVM
}

// ResultItemVM is one exam question in the result's review.
type ResultItemVM struct {
	Position        int
	ID              string
	Correct         bool
	Answered        bool
	Flagged         bool
	StemHTML        string
	DomainTitle     string
	CompetencyTitle string
	Feedback        FeedbackVM
}

// ExamsVM is the mock exam page: start, resume, history and trend.
type ExamsVM struct {
	Page    components.Page
	Exam    ExamSummary
	Open    *OpenExamVM
	History []ExamRowVM
	Chart   ChartVM
	Bank    int
}

// OpenExamVM is an exam in progress.
type OpenExamVM struct {
	URL             string
	Answered, Total int
	Remaining       string
}

// ExamRowVM is one past exam.
type ExamRowVM struct {
	URL, Date, TimeUsed string
	Score               int
	Passed, Auto        bool
	Correct, Total      int
}

// ChartVM is a server-rendered SVG line chart of exam scores.
type ChartVM struct {
	Width, Height int
	Points        string // polyline points
	Dots          []ChartDot
	PassY         int
	PassLabel     string
	YTicks        []ChartTick
}

// ChartDot is one attempt on the chart.
type ChartDot struct {
	X, Y   int
	Label  string
	Passed bool
}

// ChartTick is a labelled grid line.
type ChartTick struct {
	Y     int
	Label string
}

// ReadinessVM is the readiness estimate on the dashboard.
type ReadinessVM struct {
	Shown      bool // enough evidence
	Answers    int
	Needed     int
	Percent    int // chance to pass, 0-100
	Expected   int
	Low, High  int
	MaxScore   int
	PassScore  int
	Confidence string
	Domains    []DomainReadinessVM
}

// DomainReadinessVM is the estimate for one domain.
type DomainReadinessVM struct {
	Title               string
	Weight              int
	Answers             int
	Accuracy, Low, High int // percent
	MeetsMark           int // percent
}

// ReportFormVM is the "report a problem with this question" form.
type ReportFormVM struct {
	Page       components.Page
	QuestionID string
	StemHTML   string
	Kinds      []SelectOption
	Message    string
	Error      string
	Done       bool
	BackURL    string
}

// ReportsVM lists question reports for instructors.
type ReportsVM struct {
	Page    components.Page
	Reports []ReportRowVM
	All     bool
}

// ReportRowVM is one report.
type ReportRowVM struct {
	ID                      int64
	QuestionID, QuestionURL string
	File                    string // where to fix it: file:line
	Kind, Message, Reporter string
	Date                    string
	Resolved                bool
	ResolveURL              string
}

// LoginVM is the sign-in page.
type LoginVM struct {
	Page     components.Page
	Next     string
	Username string
	Error    string
}

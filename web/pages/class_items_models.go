package pages

import "github.com/kcnaprep/kcnaprep/web/components"

// ClassItemsVM is a class's item analysis page.
type ClassItemsVM struct {
	Page             components.Page
	ClassID, Title   string
	Attempts         int
	CSVURL, JSONURL  string
	QuestionsURL     string // the class's own questions; "" for the whole server
	Items            []ItemRowVM
	Flagged          int
	FaultyEfficiency string // "15%"
}

// ItemRowVM is one question's statistics.
type ItemRowVM struct {
	QuestionID, URL, Summary                 string
	Attempts                                 int
	Facility, SD, Discrimination, Efficiency string // "62.5%", "—" when undefined
	Flagged                                  bool
	Reports                                  []ItemReportVM
}

// ItemReportVM is a learner's open report of a question.
type ItemReportVM struct {
	Kind, Message, Reporter, Date string
}

// ClassQuestionsVM is a class's own questions page: the GIFT upload, its report and the list.
type ClassQuestionsVM struct {
	Page           components.Page
	ClassID, Title string
	ExportURL      string
	ItemsURL       string
	Error          string
	Report         *ImportReportVM // after an upload
	Questions      []ClassQuestionRowVM
}

// ImportReportVM is what an upload did.
type ImportReportVM struct {
	File             string
	Created, Updated int
	Skipped          []string // "line 12: ..."
	Warnings         []string
}

// ClassQuestionRowVM is one class question in the list.
type ClassQuestionRowVM struct {
	ID, Name, Kind, Category, Competency, Summary string
	Choices                                       int
}

package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ItemScore is one question of one submitted exam attempt: what the item analysis reads.
// Mark is the question's score in that attempt (kcnaprep scores a question all or nothing, so
// 0 or 1; a question left unanswered scores 0, as Moodle counts it).
type ItemScore struct {
	AttemptID  int64
	QuestionID string
	Mark       float64
	MaxMark    float64
}

// ItemStat is the item analysis of one question, as Moodle's quiz statistics report defines
// it (see classroom.AnalyseItems for the formulas). Discrimination and Efficiency are percentages;
// nil when they cannot be computed (fewer than two attempts, or no spread in the scores).
type ItemStat struct {
	QuestionID     string   `json:"question_id"`
	Attempts       int      `json:"attempts"`
	Facility       float64  `json:"facility"` // mean mark as a fraction of the maximum, 0..1
	SD             *float64 `json:"sd"`       // standard deviation of the mark, as a fraction of the maximum
	Discrimination *float64 `json:"discrimination"`
	Efficiency     *float64 `json:"discriminative_efficiency"`
	Flagged        bool     `json:"flagged"` // efficiency below FaultyEfficiency: likely faulty
	Reports        int      `json:"reports"` // open learner reports of the question
}

// FaultyEfficiency is the discriminative efficiency (percent) below which a question is flagged
// as likely faulty, as Moodle's statistics report marks it.
const FaultyEfficiency = 15.0

// ClassQuestionKind is the form of a class's own question.
type ClassQuestionKind string

// Kinds of class questions.
const (
	ClassSingle    ClassQuestionKind = "single"    // one right choice
	ClassMultiple  ClassQuestionKind = "multiple"  // several right choices, all to be picked
	ClassTrueFalse ClassQuestionKind = "truefalse" // the two choices True and False
)

// ClassChoice is one option of a class question. Weight is the Moodle grade of the option in
// percent, kept so an export gives Moodle back the partial credit it had; kcnaprep itself
// scores all or nothing, on Correct.
type ClassChoice struct {
	Text    string  `json:"text"`
	Correct bool    `json:"correct"`
	Weight  float64 `json:"weight,omitempty"`
	Why     string  `json:"why,omitempty"`
}

// ClassReference is a reference a class question cites.
type ClassReference struct {
	Title string `json:"title,omitempty"`
	URL   string `json:"url"`
}

// ClassQuestion is an instructor's own question, stored in the database for one class.
type ClassQuestion struct {
	ID          int64 // global row id; QuestionID() is the id the rest of kcnaprep uses
	ClassID     string
	Key         string // unique in the class: "id:" + the Moodle id number, else the name
	Name        string // the GIFT title
	IDNumber    string // Moodle's question id number ([id:...]), "" if none
	Category    string // the GIFT $CATEGORY
	Competency  string // a competency id of the curriculum, "" if the category names none
	Kind        ClassQuestionKind
	Difficulty  int    // 1..3; 2 unless the file says
	Stem        string // Markdown
	Choices     []ClassChoice
	Explanation string // Markdown
	References  []ClassReference
	Line        int // line in the file it was last imported from
	UpdatedAt   time.Time
}

// ClassQuestionPrefix starts the id of every class question ("cq-12"). Bank ids are
// <prefix>-<word>-NNN, so the two never meet.
const ClassQuestionPrefix = "cq-"

// QuestionID is the class question's id among all questions ("cq-12").
func (q *ClassQuestion) QuestionID() string { return fmt.Sprintf("%s%d", ClassQuestionPrefix, q.ID) }

// ParseClassQuestionID returns the row id of a class question id, and false for any other id.
func ParseClassQuestionID(id string) (int64, bool) {
	rest, ok := strings.CutPrefix(id, ClassQuestionPrefix)
	if !ok || rest == "" || rest[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

package catalog

import "strings"

// QuestionSpec describes a question that lives outside the bank, such as a class's own
// question stored in the database.
type QuestionSpec struct {
	ID          string
	Type        string // Single or Multiple
	Difficulty  int
	Stem        string // Markdown
	Choices     []Choice
	Explanation string // Markdown
	References  []Reference
	LessonID    string
	Competency  *Competency // may be nil: a class question need not name one
	File        string      // where it came from, for reports ("class kcna-fall")
	Line        int
}

// OwnDomain and OwnCompetency hold a class's own questions that name no competency of the
// curriculum, so that every question has a domain and a competency to show and to score by.
// They are not in the curriculum: practice filters, readiness and the heat map never see them.
var (
	OwnDomain     = &Domain{ID: "own", Title: "Class questions"}
	OwnCompetency = &Competency{ID: "own", Title: "Class question", Domain: OwnDomain}
)

// ExternalQuestion returns a question built from spec that renders like the bank's (same
// Markdown settings, no raw HTML), without adding it to the catalog: Question(id) does not
// find it. It is not checked against the bank's rules (a class's questions have their own).
// Competency and Domain are OwnCompetency and OwnDomain when spec names no competency.
func (c *Catalog) ExternalQuestion(spec QuestionSpec) *Question {
	q := &Question{
		ID:          spec.ID,
		Type:        spec.Type,
		Difficulty:  spec.Difficulty,
		Stem:        strings.TrimSpace(spec.Stem),
		Choices:     spec.Choices,
		Explanation: strings.TrimSpace(spec.Explanation),
		References:  spec.References,
		LessonID:    spec.LessonID,
		Lesson:      c.lessonByID[spec.LessonID],
		Competency:  spec.Competency,
		File:        spec.File,
		Line:        spec.Line,
	}
	if q.Competency == nil {
		q.Competency = OwnCompetency
	}
	q.Domain = q.Competency.Domain
	c.prepareRender(q)
	return q
}

package classroom

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/gift"
)

// QuestionStore holds a class's own questions.
type QuestionStore interface {
	SaveClassQuestions(ctx context.Context, classID string, qs []*domain.ClassQuestion) (created, updated int, err error)
	ClassQuestionList(ctx context.Context, classID string) ([]*domain.ClassQuestion, error)
	ClassQuestionByID(ctx context.Context, id int64) (*domain.ClassQuestion, error)
	// ClassQuestionsFor returns those of ids in a class userID belongs to.
	ClassQuestionsFor(ctx context.Context, userID int64, ids []int64) ([]*domain.ClassQuestion, error)
}

// ImportNote is one thing an import says about a question, with its line in the file.
type ImportNote struct {
	Line     int
	Question string // the question's name, "" when it has none yet
	Msg      string
}

func (n ImportNote) String() string {
	if n.Question != "" {
		return fmt.Sprintf("line %d: %q: %s", n.Line, n.Question, n.Msg)
	}
	return fmt.Sprintf("line %d: %s", n.Line, n.Msg)
}

// ImportReport is the outcome of a GIFT upload.
type ImportReport struct {
	Created, Updated int
	Skipped          []ImportNote // not imported: an unsupported type, or malformed
	Warnings         []ImportNote // imported, with something missing or changed
}

// MaxClassQuestionsPerFile bounds one upload.
const MaxClassQuestionsPerFile = 5000

// ConvertGIFT reads a GIFT file into class questions, tolerantly: a class's own questions
// need not meet the bank's rules. Multiple-choice questions (one or several answers),
// true/false questions (two choices, True and False) and missing-word questions with choices
// (the gap shown as a blank) are imported; a missing explanation, reason or reference is a
// warning. Partial credit keeps its meaning: a single-answer question stays single-answer with
// its 100% answer right; a partly-right answer counts as wrong here (kcnaprep scores all or
// nothing) and keeps its weight for export, which the report notes. Essay, matching,
// numerical, short-answer and description questions are skipped, each named with its line.
// Text in html, moodle or plain format becomes Markdown (gift.ToMarkdown).
func ConvertGIFT(cat *catalog.Catalog, r io.Reader) ([]*domain.ClassQuestion, ImportReport) {
	var rep ImportReport
	parsed, problems := gift.Parse(r)
	for _, p := range problems {
		rep.Skipped = append(rep.Skipped, ImportNote{Line: p.Line, Msg: p.Msg + "; skipped"})
	}
	var out []*domain.ClassQuestion
	byKey := map[string]int{} // key -> index in out
	for _, g := range parsed {
		q, notes, skip := convertOne(cat, g)
		if skip != "" {
			rep.Skipped = append(rep.Skipped, ImportNote{Line: g.Line, Question: g.Title, Msg: skip})
			continue
		}
		rep.Warnings = append(rep.Warnings, notes...)
		if i, dup := byKey[q.Key]; dup {
			rep.Warnings = append(rep.Warnings, ImportNote{Line: out[i].Line, Question: q.Name,
				Msg: fmt.Sprintf("appears again at line %d: the later one is kept", q.Line)})
			out[i] = q
			continue
		}
		if len(out) >= MaxClassQuestionsPerFile {
			rep.Skipped = append(rep.Skipped, ImportNote{Line: g.Line, Question: q.Name,
				Msg: fmt.Sprintf("a file may hold at most %d questions; skipped", MaxClassQuestionsPerFile)})
			continue
		}
		byKey[q.Key] = len(out)
		out = append(out, q)
	}
	return out, rep
}

var urlRe = regexp.MustCompile(`https?://[^\s<>()\]"'` + "`" + `]+[^\s<>()\]"'.,;:!?` + "`" + `]`)

// kcnaprepMeta is the comment kcnaprep writes before each exported question.
type kcnaprepMeta struct {
	Difficulty int                     `json:"difficulty"`
	Lesson     string                  `json:"lesson,omitempty"`
	References []domain.ClassReference `json:"references"`
}

func convertOne(cat *catalog.Catalog, g gift.Question) (*domain.ClassQuestion, []ImportNote, string) {
	md := func(text, format string) string {
		if format == "" {
			format = g.Format
		}
		return gift.ToMarkdown(text, format)
	}
	q := &domain.ClassQuestion{Name: strings.TrimSpace(g.Title), IDNumber: g.IDNumber, Category: g.Category,
		Difficulty: 2, Line: g.Line, Explanation: md(g.GeneralFeedback, "")}
	var notes []ImportNote
	note := func(format string, args ...any) {
		notes = append(notes, ImportNote{Line: g.Line, Question: q.Name, Msg: fmt.Sprintf(format, args...)})
	}
	switch g.Kind {
	case gift.SingleChoice, gift.MultipleChoice, gift.TrueFalse:
		q.Stem = md(g.Text, "")
	case gift.MissingWord:
		if len(g.Answers) < 2 {
			return nil, nil, "GIFT missing-word questions without choices (short answer) are not supported; skipped"
		}
		q.Stem = strings.TrimSpace(md(g.Text, "") + ` \_\_\_\_\_ ` + md(g.TextAfter, ""))
	default:
		return nil, nil, fmt.Sprintf("GIFT %s questions are not supported (kcnaprep has multiple-choice and true/false questions); skipped", g.Kind)
	}
	if strings.TrimSpace(q.Stem) == "" {
		return nil, nil, "the question has no text; skipped"
	}
	if q.Name == "" {
		q.Name = oneLine(q.Stem, 60)
	}
	if q.IDNumber != "" {
		q.Key = "id:" + q.IDNumber
	} else {
		q.Key = "name:" + q.Name
	}
	correct, partial := 0, 0
	for _, a := range g.Answers {
		c := domain.ClassChoice{Text: md(a.Text, a.Format), Correct: a.Correct, Weight: a.Weight, Why: md(a.Feedback, "")}
		if g.Kind == gift.TrueFalse {
			c.Text = a.Text
		}
		if c.Correct {
			correct++
		}
		if !c.Correct && a.Weight > 0 {
			partial++
			note("the answer %q earns %s%% in Moodle; kcnaprep scores all or nothing, so it counts as wrong here (the %s%% is kept for export)",
				oneLine(c.Text, 40), fmtWeight(a.Weight), fmtWeight(a.Weight))
		}
		q.Choices = append(q.Choices, c)
	}
	switch {
	case len(q.Choices) < 2:
		return nil, nil, "a question needs at least two answers; skipped"
	case correct == 0:
		return nil, nil, "no answer is right; skipped"
	case g.Kind == gift.TrueFalse:
		q.Kind = domain.ClassTrueFalse
	case correct > 1 && (g.Kind == gift.SingleChoice || partial > 0):
		return nil, nil, fmt.Sprintf("%d answers are each worth 100%% in a single-answer question; kcnaprep needs exactly one; skipped", correct)
	case correct == 1:
		q.Kind = domain.ClassSingle
	case correct == len(q.Choices):
		return nil, nil, "every answer is right, so there is nothing to choose; skipped"
	default:
		q.Kind = domain.ClassMultiple
	}
	if g.Kind == gift.MissingWord {
		note("a missing-word question: imported as multiple choice, the gap shown as a blank")
	}
	seen := map[string]bool{}
	for _, c := range q.Choices {
		k := strings.ToLower(strings.Join(strings.Fields(c.Text), " "))
		if seen[k] {
			return nil, nil, fmt.Sprintf("the answer %q appears twice; skipped", oneLine(c.Text, 40))
		}
		seen[k] = true
	}
	if g.Meta != "" {
		var m kcnaprepMeta
		if err := json.Unmarshal([]byte(g.Meta), &m); err != nil {
			note("the kcnaprep comment is not valid JSON (%v): ignored", err)
		} else {
			if m.Difficulty >= 1 && m.Difficulty <= 3 {
				q.Difficulty = m.Difficulty
			}
			q.References = m.References
		}
	}
	if len(q.References) == 0 {
		for _, u := range urlRe.FindAllString(g.GeneralFeedback, -1) {
			q.References = append(q.References, domain.ClassReference{URL: u})
		}
	}
	if comp := competencyOf(cat, q.Category); comp != nil {
		q.Competency = comp.ID
	}
	if q.Explanation == "" {
		note("no general feedback (####): learners see no explanation")
	}
	var noWhy []string
	for i, c := range q.Choices {
		if strings.TrimSpace(c.Why) == "" {
			noWhy = append(noWhy, strconv.Itoa(i+1))
		}
	}
	if len(noWhy) > 0 && q.Kind != domain.ClassTrueFalse {
		note("answer %s without feedback (#): learners see no reason for it", strings.Join(noWhy, ", "))
	}
	if len(q.References) == 0 {
		note("no reference: put a link to the documentation in the general feedback")
	}
	return q, notes, ""
}

func fmtWeight(w float64) string { return strconv.FormatFloat(w, 'f', -1, 64) }

// competencyOf finds the competency a $CATEGORY names in its last segment, if any.
func competencyOf(cat *catalog.Catalog, category string) *catalog.Competency {
	if cat == nil || category == "" {
		return nil
	}
	parts := strings.Split(strings.Trim(category, "/"), "/")
	return cat.Competency(parts[len(parts)-1])
}

func oneLine(s string, n int) string {
	line := strings.Join(strings.Fields(strings.NewReplacer(`\`, "", "*", "", "`", "").Replace(s)), " ")
	if r := []rune(line); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return line
}

// ImportQuestions adds the questions of a GIFT file to a class (its instructors and admins
// only), updating those it has already (same Moodle id number, else same name). The good
// questions are saved together in one transaction; the report lists what was skipped and why.
func (s *Service) ImportQuestions(ctx context.Context, viewer *domain.User, classID string, r io.Reader) (*ImportReport, error) {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return nil, err
	}
	qs, rep := ConvertGIFT(s.cat, r)
	if len(qs) > 0 {
		var err error
		if rep.Created, rep.Updated, err = s.store.SaveClassQuestions(ctx, classID, qs); err != nil {
			return nil, err
		}
	}
	return &rep, nil
}

// QuestionList returns a class's own questions (its instructors and admins only).
func (s *Service) QuestionList(ctx context.Context, viewer *domain.User, classID string) ([]*domain.ClassQuestion, error) {
	if _, err := s.Teach(ctx, viewer, classID); err != nil {
		return nil, err
	}
	return s.store.ClassQuestionList(ctx, classID)
}

// ExportQuestions writes a class's questions as GIFT that Moodle and ImportQuestions read
// back: Markdown text, Moodle's id number and partial-credit weights kept, and kcnaprep's
// difficulty and references in the comment before each question. It returns how many.
func (s *Service) ExportQuestions(ctx context.Context, viewer *domain.User, classID string, w io.Writer) (int, error) {
	qs, err := s.QuestionList(ctx, viewer, classID)
	if err != nil {
		return 0, err
	}
	if err := gift.Write(w, ToGIFT(qs)); err != nil {
		return 0, fmt.Errorf("write GIFT of class %s: %w", classID, err)
	}
	return len(qs), nil
}

// ToGIFT converts class questions to GIFT questions.
func ToGIFT(qs []*domain.ClassQuestion) []gift.Question {
	out := make([]gift.Question, 0, len(qs))
	for _, q := range qs {
		g := gift.Question{Category: q.Category, Title: q.Name, IDNumber: q.IDNumber, Format: "markdown", Text: q.Stem,
			GeneralFeedback: q.Explanation}
		refs := q.References
		if refs == nil {
			refs = []domain.ClassReference{}
		}
		b, _ := json.Marshal(kcnaprepMeta{Difficulty: q.Difficulty, References: refs})
		g.Meta = string(b)
		n := 0
		for _, c := range q.Choices {
			if c.Correct {
				n++
			}
		}
		switch q.Kind {
		case domain.ClassTrueFalse:
			g.Kind = gift.TrueFalse
		case domain.ClassMultiple:
			g.Kind = gift.MultipleChoice
		default:
			g.Kind = gift.SingleChoice
		}
		for _, c := range q.Choices {
			a := gift.Answer{Text: c.Text, Correct: c.Correct, Weight: c.Weight, Feedback: c.Why}
			switch {
			case q.Kind == domain.ClassMultiple && c.Correct:
				a.Weight = gift.CorrectWeight(n)
			case q.Kind == domain.ClassMultiple && a.Weight == 0:
				a.Weight = -100
			case c.Correct:
				a.Weight = 100
			}
			g.Answers = append(g.Answers, a)
		}
		out = append(out, g)
	}
	return out
}

// ClassQuestions returns class classID's own questions as catalog questions, ready to draw into
// a practice set or a class exam and to score (Question.IsCorrect) and render like the bank's.
// Their ids are "cq-N" (domain.ParseClassQuestionID); true/false questions are single-answer
// questions with the choices True and False. Competency and Domain are nil unless the
// question's $CATEGORY ends in a competency id. It does not check who asks: callers (practice
// and class exams) check Access first.
func (s *Service) ClassQuestions(ctx context.Context, classID string) ([]*catalog.Question, error) {
	qs, err := s.store.ClassQuestionList(ctx, classID)
	if err != nil {
		return nil, err
	}
	out := make([]*catalog.Question, len(qs))
	for i, q := range qs {
		out[i] = s.catalogQuestion(q)
	}
	return out, nil
}

// ClassQuestion returns one class question by its id ("cq-12") with the id of its class, or
// ENOTFOUND. Like ClassQuestions it does not check who asks.
func (s *Service) ClassQuestion(ctx context.Context, questionID string) (*catalog.Question, string, error) {
	n, ok := domain.ParseClassQuestionID(questionID)
	if !ok {
		return nil, "", domain.Errorf(domain.ENOTFOUND, "There is no question %q.", questionID)
	}
	q, err := s.store.ClassQuestionByID(ctx, n)
	if err != nil {
		return nil, "", err
	}
	return s.catalogQuestion(q), q.ClassID, nil
}

func (s *Service) catalogQuestion(q *domain.ClassQuestion) *catalog.Question {
	spec := catalog.QuestionSpec{ID: q.QuestionID(), Type: catalog.Single, Difficulty: q.Difficulty, Stem: q.Stem,
		Explanation: q.Explanation, File: "class " + q.ClassID, Line: q.Line}
	if q.Kind == domain.ClassMultiple {
		spec.Type = catalog.Multiple
	}
	for _, c := range q.Choices {
		spec.Choices = append(spec.Choices, catalog.Choice{Text: c.Text, Correct: c.Correct, Why: c.Why})
	}
	for _, r := range q.References {
		spec.References = append(spec.References, catalog.Reference{Title: r.Title, URL: r.URL})
	}
	spec.Competency = s.cat.Competency(q.Competency)
	return s.cat.ExternalQuestion(spec)
}

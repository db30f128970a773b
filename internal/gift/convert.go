package gift

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"go.yaml.in/yaml/v3"
)

// meta carries what GIFT has no field for. Moodle ignores the comment it travels in.
type meta struct {
	Difficulty int         `json:"difficulty"`
	Lesson     string      `json:"lesson,omitempty"`
	References []reference `json:"references"`
}

type reference struct {
	Title string `json:"title,omitempty" yaml:"title,omitempty"`
	URL   string `json:"url" yaml:"url"`
}

// CategoryPrefix starts the categories of exported questions: $course$/kcnaprep/<domain>/<competency>.
const CategoryPrefix = "$course$/kcnaprep/"

// FromCatalog converts questions to GIFT, in order, one category per competency.
func FromCatalog(qs []*catalog.Question) []Question {
	out := make([]Question, 0, len(qs))
	for _, q := range qs {
		g := Question{
			Category:        CategoryPrefix + q.Domain.ID + "/" + q.Competency.ID,
			Title:           q.ID,
			Format:          "markdown",
			Text:            q.Stem,
			GeneralFeedback: q.Explanation,
		}
		m := meta{Difficulty: q.Difficulty, Lesson: q.LessonID}
		for _, r := range q.References {
			m.References = append(m.References, reference{Title: r.Title, URL: r.URL})
		}
		b, _ := json.Marshal(m)
		g.Meta = string(b)
		n := q.NumCorrect()
		if q.Type == catalog.Single {
			g.Kind = SingleChoice
		} else {
			g.Kind = MultipleChoice
		}
		for _, c := range q.Choices {
			a := Answer{Text: c.Text, Correct: c.Correct, Feedback: c.Why}
			switch {
			case g.Kind == SingleChoice && c.Correct:
				a.Weight = 100
			case g.Kind == MultipleChoice && c.Correct:
				a.Weight = CorrectWeight(n)
			case g.Kind == MultipleChoice:
				a.Weight = -100
			}
			g.Answers = append(g.Answers, a)
		}
		out = append(out, g)
	}
	return out
}

// BankQuestion is a question in kcnaprep's YAML format (quizzes/README.md).
type BankQuestion struct {
	ID          string       `yaml:"id"`
	Type        string       `yaml:"type"`
	Difficulty  int          `yaml:"difficulty"`
	Stem        string       `yaml:"stem"`
	Choices     []BankChoice `yaml:"choices"`
	Explanation string       `yaml:"explanation"`
	References  []reference  `yaml:"references"`
	Lesson      string       `yaml:"lesson,omitempty"`
}

// BankChoice is a choice in the YAML format.
type BankChoice struct {
	Text    string `yaml:"text"`
	Correct bool   `yaml:"correct,omitempty"`
	Why     string `yaml:"why"`
}

// BankFile is one question file.
type BankFile struct {
	Domain     string         `yaml:"domain"`
	Competency string         `yaml:"competency"`
	Questions  []BankQuestion `yaml:"questions"`
}

// ImportResult is what an import produced.
type ImportResult struct {
	Files    map[string]*BankFile // by path relative to the content dir
	Imported int
	Problems []Problem
}

var idNum = regexp.MustCompile(`^([a-z]+-[a-z]+)-(\d{3,4})$`)

// ToBank converts parsed GIFT questions into question files for the catalog's competencies.
// A question's competency comes from its category (…/<domain>/<competency>, or a last
// segment naming a competency), else from fallback. Its id is its title when that is a free
// id of the competency, else the next free number. Unsupported kinds are reported with their
// line.
func ToBank(cat *catalog.Catalog, qs []Question, fallback string) ImportResult {
	res := ImportResult{Files: map[string]*BankFile{}}
	used := map[string]bool{}
	next := map[string]int{}
	for _, q := range cat.Questions {
		used[q.ID] = true
		if m := idNum.FindStringSubmatch(q.ID); m != nil {
			n, _ := strconv.Atoi(m[2])
			next[m[1]] = max(next[m[1]], n)
		}
	}
	for _, q := range qs {
		at := func(format string, args ...any) {
			res.Problems = append(res.Problems, Problem{q.Line, describe(q) + fmt.Sprintf(format, args...)})
		}
		if q.Kind != SingleChoice && q.Kind != MultipleChoice {
			at("GIFT %s questions are not supported: kcnaprep has multiple-choice questions with one or several right answers", q.Kind)
			continue
		}
		comp := competencyOf(cat, q.Category)
		if comp == nil {
			comp = cat.Competency(fallback)
		}
		if comp == nil {
			at("no competency: its $CATEGORY (%q) does not end in a competency id; pass --competency", q.Category)
			continue
		}
		bq := BankQuestion{Type: catalog.Single, Stem: q.Text, Explanation: q.GeneralFeedback, Difficulty: 2}
		if q.Kind == MultipleChoice {
			bq.Type = catalog.Multiple
		}
		if q.Meta != "" {
			var m meta
			if err := json.Unmarshal([]byte(q.Meta), &m); err != nil {
				at("the kcnaprep comment is not valid JSON: %v", err)
				continue
			}
			bq.Difficulty, bq.Lesson, bq.References = m.Difficulty, m.Lesson, m.References
		}
		for _, a := range q.Answers {
			bq.Choices = append(bq.Choices, BankChoice{Text: a.Text, Correct: a.Correct, Why: a.Feedback})
		}
		switch m := idNum.FindStringSubmatch(q.Title); {
		case m != nil && m[1] == comp.Prefix && !used[q.Title]:
			bq.ID = q.Title
			n, _ := strconv.Atoi(m[2])
			next[comp.Prefix] = max(next[comp.Prefix], n)
		default:
			next[comp.Prefix]++
			bq.ID = fmt.Sprintf("%s-%03d", comp.Prefix, next[comp.Prefix])
			for used[bq.ID] {
				next[comp.Prefix]++
				bq.ID = fmt.Sprintf("%s-%03d", comp.Prefix, next[comp.Prefix])
			}
		}
		used[bq.ID] = true
		key := comp.Domain.ID + "/" + comp.ID
		f := res.Files[key]
		if f == nil {
			f = &BankFile{Domain: comp.Domain.ID, Competency: comp.ID}
			res.Files[key] = f
		}
		f.Questions = append(f.Questions, bq)
		res.Imported++
	}
	return res
}

func competencyOf(cat *catalog.Catalog, category string) *catalog.Competency {
	parts := strings.Split(strings.Trim(category, "/"), "/")
	if len(parts) == 0 {
		return nil
	}
	c := cat.Competency(parts[len(parts)-1])
	if c != nil && len(parts) >= 2 && parts[len(parts)-2] != c.Domain.ID && cat.Domain(parts[len(parts)-2]) != nil {
		return nil // names a domain that does not hold this competency
	}
	return c
}

// WriteBank writes the files under dir/quizzes/<domain>/<competency>-imported[-N].yaml, never
// overwriting, and returns the paths written.
func WriteBank(dir string, res ImportResult) ([]string, error) {
	keys := make([]string, 0, len(res.Files))
	for k := range res.Files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var written []string
	for _, k := range keys {
		f := res.Files[k]
		base := filepath.Join(dir, "quizzes", f.Domain)
		if err := os.MkdirAll(base, 0o755); err != nil {
			return written, fmt.Errorf("create %s: %w", base, err)
		}
		var buf strings.Builder
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(f); err != nil {
			return written, fmt.Errorf("encode %s: %w", k, err)
		}
		for n := 1; ; n++ {
			name := f.Competency + "-imported.yaml"
			if n > 1 {
				name = fmt.Sprintf("%s-imported-%d.yaml", f.Competency, n)
			}
			p := filepath.Join(base, name)
			fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if os.IsExist(err) {
				continue
			}
			if err != nil {
				return written, fmt.Errorf("write %s: %w", p, err)
			}
			_, werr := fh.WriteString("# Imported from GIFT by `server quiz import`. Check every why, reference and difficulty.\n" + buf.String())
			if cerr := fh.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return written, fmt.Errorf("write %s: %w", p, werr)
			}
			written = append(written, p)
			break
		}
	}
	return written, nil
}

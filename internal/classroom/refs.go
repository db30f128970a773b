package classroom

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/quiz"
)

func splitRefs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

func cmpOr(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}

// sortedQuestions returns the map's questions by id, so that a draw from them depends only on
// the random generator.
func sortedQuestions(m map[string]*catalog.Question) []*catalog.Question {
	out := make([]*catalog.Question, 0, len(m))
	for _, q := range m {
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b *catalog.Question) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (s *Service) labIDs() []string {
	ids := make([]string, len(s.cat.Labs))
	for i, l := range s.cat.Labs {
		ids[i] = l.ID
	}
	return ids
}

// lessonItems resolves lesson ids, and domain or competency ids to all their lessons.
func (s *Service) lessonItems(refs []string) ([]string, error) {
	var out []string
	for _, r := range refs {
		var ls []*catalog.Lesson
		switch {
		case s.cat.Lesson(r) != nil:
			ls = []*catalog.Lesson{s.cat.Lesson(r)}
		case s.cat.Domain(r) != nil:
			ls = s.cat.Domain(r).Lessons
		case s.cat.Competency(r) != nil:
			ls = s.cat.Competency(r).Lessons
		default:
			return nil, domain.Errorf(domain.EINVALID, "%q is not a lesson, domain or competency id.", r)
		}
		for _, l := range ls {
			if !slices.Contains(out, l.ID) {
				out = append(out, l.ID)
			}
		}
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "Name the lessons to read: lesson ids, or a domain or competency id.")
	}
	return out, nil
}

// OwnQuestions is the reference that draws a practice set from the class's own questions.
const OwnQuestions = "own"

// practiceItems takes hand-picked question ids (the bank's, or the class's own "cq-N") as
// they are, and draws n questions at random from the domains and competencies named, and from
// the class's own questions when "own" is named (the whole bank when nothing is).
func (s *Service) practiceItems(ctx context.Context, classID string, refs []string, n int) ([]string, error) {
	var picked []string
	var pool []*catalog.Question
	seen := map[string]bool{}
	var own map[string]*catalog.Question // the class's own questions, read once when needed
	ownQuestions := func() (map[string]*catalog.Question, error) {
		if own != nil {
			return own, nil
		}
		qs, err := s.ClassQuestions(ctx, classID)
		if err != nil {
			return nil, err
		}
		own = make(map[string]*catalog.Question, len(qs))
		for _, q := range qs {
			own[q.ID] = q
		}
		return own, nil
	}
	for _, r := range refs {
		switch {
		case s.cat.Question(r) != nil:
			if !slices.Contains(picked, r) {
				picked = append(picked, r)
			}
		case strings.HasPrefix(r, domain.ClassQuestionPrefix):
			qs, err := ownQuestions()
			if err != nil {
				return nil, err
			}
			if qs[r] == nil {
				return nil, domain.Errorf(domain.EINVALID, "%q is not one of this class's questions.", r)
			}
			if !slices.Contains(picked, r) {
				picked = append(picked, r)
			}
		case r == OwnQuestions:
			qs, err := ownQuestions()
			if err != nil {
				return nil, err
			}
			if len(qs) == 0 {
				return nil, domain.Errorf(domain.EINVALID, "The class has no questions of its own yet: upload a GIFT file on the class's questions page first.")
			}
			for _, q := range sortedQuestions(qs) {
				if !seen[q.ID] {
					seen[q.ID] = true
					pool = append(pool, q)
				}
			}
		case s.cat.Domain(r) != nil || s.cat.Competency(r) != nil:
			f := quiz.Filter{Domain: r}
			if s.cat.Competency(r) != nil {
				f = quiz.Filter{Competency: r}
			}
			for _, q := range quiz.Pool(s.cat, f) {
				if !seen[q.ID] {
					seen[q.ID] = true
					pool = append(pool, q)
				}
			}
		default:
			return nil, domain.Errorf(domain.EINVALID, "%q is not a question, domain or competency id, nor %q (the class's own questions).", r, OwnQuestions)
		}
	}
	if len(picked) > 0 && len(pool) == 0 && n == 0 {
		return picked, nil
	}
	if len(pool) == 0 && len(picked) == 0 {
		pool = s.cat.Questions
	}
	if n <= 0 {
		return nil, domain.Errorf(domain.EINVALID, "Say how many questions to draw (1 to %d).", len(pool))
	}
	pool = slices.DeleteFunc(slices.Clone(pool), func(q *catalog.Question) bool { return slices.Contains(picked, q.ID) })
	if n > len(pool)+len(picked) {
		return nil, domain.Errorf(domain.EINVALID, "Only %d questions match; asked for %d.", len(pool)+len(picked), n)
	}
	rng := rand.New(rand.NewPCG(uint64(s.now().UnixNano()), 0x636c6173))
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := picked
	for _, q := range pool[:max(0, n-len(picked))] {
		out = append(out, q.ID)
	}
	return out, nil
}

package catalog

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// NearDuplicateThreshold is the Jaccard similarity of two stems' normalised word sets at
// which they are reported as near-duplicates.
const NearDuplicateThreshold = 0.8

// stopwords carry no meaning for similarity.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the of to in on for is are be by with and or what which
		that this it its as at from how does do when why who can will not you your into than then
		most best following`) {
		stopwords[w] = true
	}
}

// normaliseWords lower-cases text, keeps runs of letters and digits and drops stop words:
// two stems that differ only in punctuation, case or filler words compare equal.
func normaliseWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	set := map[string]bool{}
	for _, w := range words {
		if !stopwords[w] {
			set[w] = true
		}
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// jaccard of two sorted, duplicate-free word lists.
func jaccard(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// SimilarPair is two questions whose stems are near-duplicates.
type SimilarPair struct {
	A, B       *Question
	Similarity float64
}

// SimilarStems lists pairs of questions whose normalised stems reach the threshold.
func SimilarStems(qs []*Question, threshold float64) []SimilarPair {
	words := make([][]string, len(qs))
	for i, q := range qs {
		words[i] = normaliseWords(q.Stem)
	}
	var out []SimilarPair
	for i := range qs {
		for j := i + 1; j < len(qs); j++ {
			// Quick reject: Jaccard can never exceed min/max of the set sizes.
			la, lb := len(words[i]), len(words[j])
			if float64(min(la, lb)) < threshold*float64(max(la, lb)) {
				continue
			}
			if s := jaccard(words[i], words[j]); s >= threshold {
				out = append(out, SimilarPair{A: qs[i], B: qs[j], Similarity: s})
			}
		}
	}
	return out
}

func (c *Catalog) checkSimilarStems(ps *problems) {
	for _, p := range SimilarStems(c.Questions, NearDuplicateThreshold) {
		ps.add(p.B.File, p.B.Line, "%s: stem is a near-duplicate (%.0f%% similar) of %s at %s:%d",
			p.B.ID, 100*p.Similarity, p.A.ID, p.A.File, p.A.Line)
	}
}

// String is a one-line description of the pair.
func (p SimilarPair) String() string {
	return fmt.Sprintf("%s ~ %s (%.0f%%)", p.A.ID, p.B.ID, 100*p.Similarity)
}

package catalog

import (
	"fmt"
	"regexp"
)

// Curriculum is content/curriculum.yaml: the exam's shape, as data.
type Curriculum struct {
	Version        string    `yaml:"version"`
	Source         string    `yaml:"source"`
	Exam           Exam      `yaml:"exam"`
	Domains        []*Domain `yaml:"domains"`
	ReferenceHosts []string  `yaml:"reference_hosts"`
}

// Exam holds the mock exam's settings.
type Exam struct {
	Questions Setting `yaml:"questions"`
	Minutes   Setting `yaml:"minutes"`
	PassScore Setting `yaml:"pass_score"`
	MaxScore  int     `yaml:"max_score"`
	Notes     string  `yaml:"notes"`
}

// Setting is an exam number and whether it is published by the Linux Foundation.
type Setting struct {
	Value  int    `yaml:"value"`
	Status string `yaml:"status"` // "official" or "reported"
}

// Official reports whether the Linux Foundation publishes this number.
func (s Setting) Official() bool { return s.Status == "official" }

// Domain is one exam domain.
type Domain struct {
	ID           string        `yaml:"id"`
	Title        string        `yaml:"title"`
	Weight       int           `yaml:"weight"`
	Competencies []*Competency `yaml:"competencies"`

	Lessons   []*Lesson   `yaml:"-"`
	Questions []*Question `yaml:"-"`
	Labs      []*Lab      `yaml:"-"`
}

// Competency is one competency of a domain.
type Competency struct {
	ID     string `yaml:"id"`
	Title  string `yaml:"title"`
	Prefix string `yaml:"prefix"`

	Domain    *Domain `yaml:"-"`
	line      int
	Lessons   []*Lesson   `yaml:"-"`
	Questions []*Question `yaml:"-"`
	Labs      []*Lab      `yaml:"-"`
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	prefixPattern = regexp.MustCompile(`^[a-z]+-[a-z]+$`)
)

const curriculumFile = "content/curriculum.yaml"

func (c *Catalog) loadCurriculum(ps *problems, data []byte) bool {
	var cur Curriculum
	root, ok := decodeStrict(ps, curriculumFile, 0, data, &cur)
	if !ok {
		return false
	}
	before := len(ps.list)
	f := curriculumFile
	exam := valueNode(root, "exam")
	for _, s := range []struct {
		key string
		set Setting
	}{{"questions", cur.Exam.Questions}, {"minutes", cur.Exam.Minutes}, {"pass_score", cur.Exam.PassScore}} {
		if s.set.Value <= 0 {
			ps.add(f, keyLine(exam, s.key), "exam.%s.value must be a positive number", s.key)
		}
		if s.set.Status != "official" && s.set.Status != "reported" {
			ps.add(f, keyLine(exam, s.key), "exam.%s.status must be official or reported, not %q", s.key, s.set.Status)
		}
	}
	if cur.Exam.MaxScore <= 0 {
		ps.add(f, keyLine(exam, "max_score"), "exam.max_score must be a positive number")
	} else if cur.Exam.PassScore.Value > cur.Exam.MaxScore {
		ps.add(f, keyLine(exam, "pass_score"), "exam.pass_score (%d) is above max_score (%d)", cur.Exam.PassScore.Value, cur.Exam.MaxScore)
	}
	if len(cur.Domains) == 0 {
		ps.add(f, keyLine(root, "domains"), "no domains")
	}
	if len(cur.ReferenceHosts) == 0 {
		ps.add(f, keyLine(root, "reference_hosts"), "reference_hosts is empty: no reference could be accepted")
	}
	total := 0
	seenComp := map[string]bool{}
	seenPrefix := map[string]bool{}
	for i, d := range cur.Domains {
		dn := valueNode(root, "domains").Content[i]
		total += d.Weight
		switch {
		case !idPattern.MatchString(d.ID):
			ps.add(f, keyLine(dn, "id"), "domain id %q must be lower-case words joined by hyphens", d.ID)
		case c.domainByID[d.ID] != nil:
			ps.add(f, keyLine(dn, "id"), "duplicate domain id %q", d.ID)
		}
		if d.Title == "" {
			ps.add(f, keyLine(dn, "title"), "domain %q has no title", d.ID)
		}
		if d.Weight <= 0 {
			ps.add(f, keyLine(dn, "weight"), "domain %q weight must be positive", d.ID)
		}
		if len(d.Competencies) == 0 {
			ps.add(f, keyLine(dn, "competencies"), "domain %q has no competencies", d.ID)
		}
		c.domainByID[d.ID] = d
		for j, comp := range d.Competencies {
			line := itemLine(dn, "competencies", j)
			switch {
			case !idPattern.MatchString(comp.ID):
				ps.add(f, line, "competency id %q must be lower-case words joined by hyphens", comp.ID)
			case seenComp[comp.ID]:
				ps.add(f, line, "duplicate competency id %q (ids are unique across domains)", comp.ID)
			}
			switch {
			case !prefixPattern.MatchString(comp.Prefix):
				ps.add(f, line, "competency %q prefix %q must look like kf-core", comp.ID, comp.Prefix)
			case seenPrefix[comp.Prefix]:
				ps.add(f, line, "duplicate question prefix %q", comp.Prefix)
			}
			if comp.Title == "" {
				ps.add(f, line, "competency %q has no title", comp.ID)
			}
			seenComp[comp.ID] = true
			seenPrefix[comp.Prefix] = true
			comp.Domain = d
			comp.line = line
			c.competencyByID[comp.ID] = comp
			c.competencyByPrefix[comp.Prefix] = comp
		}
	}
	if len(cur.Domains) > 0 && total != 100 {
		ps.add(f, keyLine(root, "domains"), "domain weights sum to %d, not 100", total)
	}
	c.Curriculum = cur
	c.Domains = cur.Domains
	return len(ps.list) == before
}

// String describes the setting for the UI, e.g. "90 (official)".
func (s Setting) String() string { return fmt.Sprintf("%d (%s)", s.Value, s.Status) }

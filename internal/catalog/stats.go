package catalog

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Stats counts the question bank by domain, competency, type and difficulty.
type Stats struct {
	Questions, Lessons, Labs, LessonWords int
	Domains                               []DomainStats
	ByType                                map[string]int
	ByDifficulty                          map[int]int
}

// DomainStats counts one domain.
type DomainStats struct {
	Domain       *Domain
	Questions    int
	Share        float64 // percent of the bank
	Lessons      int
	Words        int
	Labs         int
	Competencies []CompetencyStats
}

// CompetencyStats counts one competency.
type CompetencyStats struct {
	Competency           *Competency
	Questions, Multiple  int
	ByDifficulty         [4]int // index 1..3
	Lessons, Words, Labs int
}

// Stats computes the catalog's statistics.
func (c *Catalog) Stats() Stats {
	s := Stats{Questions: len(c.Questions), Lessons: len(c.Lessons), Labs: len(c.Labs),
		ByType: map[string]int{}, ByDifficulty: map[int]int{}}
	for _, q := range c.Questions {
		s.ByType[q.Type]++
		s.ByDifficulty[q.Difficulty]++
	}
	for _, d := range c.Domains {
		ds := DomainStats{Domain: d, Questions: len(d.Questions), Lessons: len(d.Lessons), Labs: len(d.Labs)}
		if s.Questions > 0 {
			ds.Share = 100 * float64(ds.Questions) / float64(s.Questions)
		}
		for _, l := range d.Lessons {
			ds.Words += l.Words
			s.LessonWords += l.Words
		}
		for _, comp := range d.Competencies {
			cs := CompetencyStats{Competency: comp, Questions: len(comp.Questions), Lessons: len(comp.Lessons), Labs: len(comp.Labs)}
			for _, q := range comp.Questions {
				if q.Type == Multiple {
					cs.Multiple++
				}
				if q.Difficulty >= 1 && q.Difficulty <= 3 {
					cs.ByDifficulty[q.Difficulty]++
				}
			}
			for _, l := range comp.Lessons {
				if l.PrimaryCompetency() == comp {
					cs.Words += l.Words
				}
			}
			ds.Competencies = append(ds.Competencies, cs)
		}
		s.Domains = append(s.Domains, ds)
	}
	return s
}

// Write prints the statistics as aligned tables.
func (s Stats) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "domain / competency\tweight\tquestions\tshare\tmultiple\td1\td2\td3\tlessons\twords\tlabs\t\n")
	for _, d := range s.Domains {
		fmt.Fprintf(tw, "%s\t%d%%\t%d\t%.1f%%\t\t\t\t\t%d\t%d\t%d\t\n", d.Domain.ID, d.Domain.Weight, d.Questions, d.Share, d.Lessons, d.Words, d.Labs)
		for _, c := range d.Competencies {
			fmt.Fprintf(tw, "  %s\t\t%d\t\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Competency.ID, c.Questions, c.Multiple,
				c.ByDifficulty[1], c.ByDifficulty[2], c.ByDifficulty[3], c.Lessons, c.Words, c.Labs)
		}
	}
	fmt.Fprintf(tw, "total\t100%%\t%d\t\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.Questions, s.ByType[Multiple],
		s.ByDifficulty[1], s.ByDifficulty[2], s.ByDifficulty[3], s.Lessons, s.LessonWords, s.Labs)
	if err := tw.Flush(); err != nil {
		return err
	}
	pct := func(n int) float64 {
		if s.Questions == 0 {
			return 0
		}
		return 100 * float64(n) / float64(s.Questions)
	}
	_, err := fmt.Fprintf(w, "\ntypes: single %d (%.1f%%), multiple %d (%.1f%%)\ndifficulty: 1 recall %d (%.1f%%), 2 understanding %d (%.1f%%), 3 applying %d (%.1f%%)\n",
		s.ByType[Single], pct(s.ByType[Single]), s.ByType[Multiple], pct(s.ByType[Multiple]),
		s.ByDifficulty[1], pct(s.ByDifficulty[1]), s.ByDifficulty[2], pct(s.ByDifficulty[2]), s.ByDifficulty[3], pct(s.ByDifficulty[3]))
	return err
}

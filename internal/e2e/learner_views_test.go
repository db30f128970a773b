package e2e

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/kcnaprep/kcnaprep/internal/domain"
)

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestResultDomainChart: the result page draws each domain's score as a bar against the pass
// line, server-side (no script), with a title and description for screen readers.
func TestResultDomainChart(t *testing.T) {
	s := newSite(t)
	_, body := s.users[domain.RoleLearner].must(s.finishedExam+"/result", nil, http.StatusOK)
	d := parse(t, body)
	svg := d.Find(`svg[data-testid="domain-chart"]`)
	if svg.Length() != 1 {
		t.Fatal("no domain chart on the result page")
	}
	if svg.AttrOr("role", "") != "img" || strings.TrimSpace(svg.ChildrenFiltered("title").Text()) == "" || !strings.Contains(svg.ChildrenFiltered("desc").Text(), "Pass mark 75%") {
		t.Errorf("chart is not labelled for screen readers: role=%q title=%q desc=%q", svg.AttrOr("role", ""), svg.ChildrenFiltered("title").Text(), svg.ChildrenFiltered("desc").Text())
	}
	width, _ := strconv.Atoi(strings.Fields(svg.AttrOr("viewBox", "0 0 0 0"))[2])
	ex := s.a.Catalog.Curriculum.Exam
	passPct := 100 * ex.PassScore.Value / ex.MaxScore
	line := svg.Find("line.pass-line")
	if x, _ := strconv.Atoi(line.AttrOr("x1", "")); line.Length() != 1 || x != width*passPct/100 {
		t.Errorf("pass line at x=%s, want %d", line.AttrOr("x1", "?"), width*passPct/100)
	}
	rows := d.Find(`[data-testid="domain-score"]`)
	bars := svg.Find(`[data-testid="domain-bar"]`)
	if rows.Length() == 0 || bars.Length() != rows.Length() {
		t.Fatalf("%d bars for %d domain rows", bars.Length(), rows.Length())
	}
	rows.Each(func(i int, r *goquery.Selection) {
		correct, _ := strconv.Atoi(r.AttrOr("data-correct", ""))
		total, _ := strconv.Atoi(r.AttrOr("data-total", ""))
		b := svg.Find(fmt.Sprintf(`[data-testid="domain-bar"][data-domain=%q]`, r.AttrOr("data-domain", "")))
		pct := int(math.Round(100 * float64(correct) / float64(max(total, 1))))
		got, _ := strconv.Atoi(b.AttrOr("data-percent", "-1"))
		if got < pct-1 || got > pct+1 {
			t.Errorf("bar of %s shows %d%%, the table %d/%d", r.AttrOr("data-domain", ""), got, correct, total)
		}
		if w, _ := strconv.Atoi(b.AttrOr("width", "")); w != width*got/100 {
			t.Errorf("bar of %s is %d px for %d%% of %d", r.AttrOr("data-domain", ""), w, got, width)
		}
		if b.HasClass("pass") != (got >= passPct) {
			t.Errorf("bar of %s at %d%%: pass class %v", r.AttrOr("data-domain", ""), got, b.HasClass("pass"))
		}
	})
	if strings.Contains(body, "style=") {
		t.Error("the chart uses inline styles, which the CSP blocks")
	}
}

// TestReviewStatsPage: the due forecast counts the queue, retention is the share of reviews
// not rated "again" over 30 days, and cards are counted by state.
func TestReviewStatsPage(t *testing.T) {
	s := newSite(t)
	lea := s.users[domain.RoleLearner]
	_, body := lea.must("/review/stats", nil, http.StatusOK)
	d := parse(t, body)
	if d.Find(`[data-testid="retention-percent"]`).Length() != 0 {
		t.Error("retention shown before any review")
	}
	learner, err := s.a.DB.CredentialsByUsername(t.Context(), "lea")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.a.Trainer.ReviewSummary(t.Context(), learner.User.ID)
	if err != nil || sum.DueNow == 0 {
		t.Fatalf("the seeded learner has no due cards (%+v, %v)", sum, err)
	}
	days := d.Find(`[data-testid="forecast-day"]`)
	if days.Length() != 7 {
		t.Fatalf("%d forecast days, want 7", days.Length())
	}
	if got := days.First().AttrOr("data-count", ""); got != strconv.Itoa(sum.DueToday) {
		t.Errorf("today's forecast = %s, queue says %d due today", got, sum.DueToday)
	}
	if got := d.Find(`[data-testid="cards-new"]`).Text(); got != strconv.Itoa(sum.Total) {
		t.Errorf("new cards = %s, want all %d", got, sum.Total)
	}
	// Rate two due cards through the review page: one forgotten, one remembered.
	for _, rating := range []string{"again", "good"} {
		_, body := lea.must("/review", nil, http.StatusOK)
		q := parse(t, body).Find(`[data-testid="question"]`).AttrOr("data-question-id", "")
		if q == "" {
			t.Fatal("no question on /review")
		}
		_, body = lea.must("/review/q/"+url.PathEscape(q), url.Values{"choice": {"0"}, "token": {"rv-" + rating}}, http.StatusOK)
		reps := parse(t, body).Find(`input[name="reps"]`).AttrOr("value", "0")
		lea.must("/review/q/"+url.PathEscape(q)+"/rate", url.Values{"rating": {rating}, "reps": {reps}}, http.StatusSeeOther)
	}
	_, body = lea.must("/review/stats", nil, http.StatusOK)
	d = parse(t, body)
	if got := d.Find(`[data-testid="retention-percent"]`).Text(); got != "50%" {
		t.Errorf("retention after one again and one good = %q, want 50%%", got)
	}
	newCards, _ := strconv.Atoi(d.Find(`[data-testid="cards-new"]`).Text())
	young, _ := strconv.Atoi(d.Find(`[data-testid="cards-young"]`).Text())
	if newCards != sum.Total-2 || young != 2 {
		t.Errorf("after two ratings: %d new, %d young; want %d and 2", newCards, young, sum.Total-2)
	}
}

// searchLeftover is Markdown that must not show in a search snippet. ("#" is not checked
// here: lessons' YAML samples have comments; internal/markdown tests the headings' marks.)
var searchLeftover = regexp.MustCompile("\\*\\*|`|\\]\\(|\\[![A-Z]+\\]")

// TestSearchSnippetsArePlain searches the real lessons for each of their section headings
// and fails when a snippet shows Markdown syntax.
func TestSearchSnippetsArePlain(t *testing.T) {
	s := newSite(t)
	lea := s.users[domain.RoleLearner]
	checked := 0
	for _, l := range s.a.Catalog.Lessons {
		for _, h := range l.TOC[:min(2, len(l.TOC))] {
			_, body := lea.must("/search?q="+url.QueryEscape(h.Text), nil, http.StatusOK)
			parse(t, body).Find(`[data-testid="search-results"] li p`).Each(func(_ int, p *goquery.Selection) {
				checked++
				if m := searchLeftover.FindString(p.Text()); m != "" {
					t.Errorf("search %q: snippet shows %q: %s", h.Text, m, p.Text())
				}
			})
		}
	}
	if checked < len(s.a.Catalog.Lessons) {
		t.Errorf("only %d snippets checked", checked)
	}
}

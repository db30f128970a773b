package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// overflowJS reports the page's horizontal overflow: the document's scroll and client widths
// and, when it scrolls sideways, the element that sticks out furthest (the innermost of equals),
// ignoring what sits inside a box that scrolls or clips on its own.
const overflowJS = `(() => {
  const de = document.documentElement;
  const out = {scroll: de.scrollWidth, client: de.clientWidth, offender: ""};
  if (de.scrollWidth <= de.clientWidth) return out;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== "visible") return true;
    }
    return false;
  };
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    const tid = el.getAttribute("data-testid");
    if (tid) s += "[data-testid=" + tid + "]";
    let path = [];
    for (let p = el.parentElement; p && p !== document.body && path.length < 4; p = p.parentElement) {
      path.unshift(p.tagName.toLowerCase() + (p.className && typeof p.className === "string" ? "." + p.className.trim().split(/\s+/).join(".") : ""));
    }
    return path.join(" > ") + " > " + s;
  };
  let worst = null, worstRight = de.clientWidth + 1;
  for (const el of document.body.querySelectorAll("*")) {
    if (clipped(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right >= worstRight) { worst = el; worstRight = r.right; }
  }
  if (worst) {
    const r = worst.getBoundingClientRect();
    out.offender = describe(worst) + " (" + Math.round(r.width) + " px wide, right edge at " + Math.round(r.right) + " px; text: " + JSON.stringify((worst.textContent || "").trim().slice(0, 60)) + ")";
  }
  return out;
})()`

type overflow struct {
	Scroll   int    `json:"scroll"`
	Client   int    `json:"client"`
	Offender string `json:"offender"`
}

// clippedCodeJS lists code blocks inside questions (stem, options, feedback) whose text
// is cut off: wider than their box without scrolling, or sticking out of the question card.
const clippedCodeJS = `(() => {
  const bad = [];
  for (const pre of document.querySelectorAll('[data-testid="question"] pre, [data-testid="feedback"] pre')) {
    const ox = getComputedStyle(pre).overflowX;
    const scrolls = ox === "auto" || ox === "scroll";
    // Hidden behind a sideways scroll counts too: the learner must read all of it to answer.
    if (pre.scrollWidth > pre.clientWidth + 1) bad.push("code wider than its box (" + (pre.scrollWidth - pre.clientWidth) + " px hidden" + (scrolls ? " behind a scrollbar" : "") + "): " + JSON.stringify(pre.textContent.slice(0, 50)));
    const card = pre.closest('[data-testid="question"], [data-testid="feedback"], .card');
    const box = pre.closest('.option, .fb-option, .stem, .explanation') || card;
    for (const outer of [box, card]) {
      if (!outer) continue;
      const r = pre.getBoundingClientRect(), o = outer.getBoundingClientRect();
      if (r.right > o.right + 1) { bad.push("code sticks out of " + outer.className + " by " + Math.round(r.right - o.right) + " px: " + pre.textContent.slice(0, 50)); break; }
    }
    // A box that hides overflow would cut the code off.
    for (let p = pre.parentElement; p && p !== card; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === "hidden" || o === "clip") && p.scrollWidth > p.clientWidth + 1) { bad.push("code clipped by " + p.tagName + "." + p.className); break; }
    }
  }
  // Inline code and every other piece of a question stays inside the card.
  for (const card of document.querySelectorAll('[data-testid="question"]')) {
    const c = card.getBoundingClientRect();
    for (const el of card.querySelectorAll("*")) {
      if (el.closest("pre")) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > c.right + 1) { bad.push(el.tagName.toLowerCase() + " sticks out of the question card by " + Math.round(r.right - c.right) + " px: " + JSON.stringify((el.textContent || "").slice(0, 50))); break; }
    }
  }
  return bad;
})()`

// signIn signs the browser in as the learner through the login form.
func signIn(t *testing.T, ctx context.Context, s *site) {
	t.Helper()
	Do(t, ctx, chromedp.Navigate(s.a.URL+"/login"),
		chromedp.SetValue(chromedp.CSS(`input[name="username"]`), "lea"),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), sitePassword),
		chromedp.Click(chromedp.CSS(`form button[type="submit"].btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="domain-card"]`)))
}

// codeQuestions are the questions whose stem or options hold a code block.
func (s *site) codeQuestions() []string {
	var out []string
	for _, q := range s.a.Catalog.Questions {
		html := q.StemHTML()
		for i := range q.Choices {
			html += q.ChoiceHTML(i)
		}
		if strings.Contains(html, "<pre") {
			out = append(out, "/practice/q/"+url.PathEscape(q.ID))
		}
	}
	return out
}

// TestBrowserPhoneNoSidewaysScroll visits every page on a 390x844 phone screen and fails when
// one scrolls sideways, naming the element that sticks out. It also checks the header leaves
// room for the page, and that code in questions is never cut off (phone and desktop).
func TestBrowserPhoneNoSidewaysScroll(t *testing.T) {
	ctx := NewBrowser(t)
	s := newSite(t)
	signIn(t, ctx, s)

	cat := s.a.Catalog
	codeQs := s.codeQuestions()
	if len(codeQs) == 0 {
		t.Fatal("no question with a code block in the bank: the check below would check nothing")
	}
	pages := []string{"/", "/practice", "/practice?weakest=1", "/exams", s.openExam + "/q/1", s.openExam + "/q/3",
		s.finishedExam + "/result", "/review", "/search?q=pod", "/search?q=zzzznothing", "/labs", "/no/such/page",
		"/questions/" + url.PathEscape(cat.Questions[0].ID) + "/report", "/classes", "/join"}
	for _, d := range cat.Domains {
		pages = append(pages, d.URL())
	}
	for _, l := range cat.Lessons {
		pages = append(pages, l.URL())
	}
	for _, l := range cat.Labs[:min(3, len(cat.Labs))] {
		pages = append(pages, l.URL())
	}
	pages = append(pages, codeQs...)

	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile)
	Do(t, ctx, phone)
	check := func(path string) {
		t.Helper()
		Do(t, ctx, chromedp.Navigate(s.a.URL+path), chromedp.WaitReady(chromedp.CSS(`footer.site-footer`)))
		o := Eval[overflow](t, ctx, overflowJS)
		if o.Client != 390 {
			t.Fatalf("%s: viewport is %d px wide, want 390", path, o.Client)
		}
		if o.Scroll > o.Client {
			t.Errorf("%s scrolls sideways on a 390 px phone: %d px wide; widest: %s", path, o.Scroll, o.Offender)
		}
	}
	for _, p := range pages {
		check(p)
	}
	// The answered practice question (feedback with every option explained) and the login page.
	for _, p := range codeQs[:min(5, len(codeQs))] {
		Do(t, ctx, chromedp.Navigate(s.a.URL+p), chromedp.Click(chromedp.CSS(`[data-testid="option"]`)),
			chromedp.Click(chromedp.CSS(`[data-answer-form] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="feedback"]`)))
		o := Eval[overflow](t, ctx, overflowJS)
		if o.Scroll > o.Client {
			t.Errorf("%s feedback scrolls sideways: %d px wide; widest: %s", p, o.Scroll, o.Offender)
		}
	}

	// The header: the page starts within the first screen, not below a wall of links.
	Do(t, ctx, chromedp.Navigate(s.a.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`.site-header`)))
	h := Eval[float64](t, ctx, `document.querySelector(".site-header").getBoundingClientRect().height`)
	t.Logf("header height at 390x844: %.0f px", h)
	if h > 130 {
		t.Errorf("the header takes %.0f of 844 px on a phone; keep it under 130", h)
	}

	anon := NewBrowser(t)
	Do(t, anon, phone, chromedp.Navigate(s.a.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
	if o := Eval[overflow](t, anon, overflowJS); o.Scroll > o.Client {
		t.Errorf("/login scrolls sideways: %d px; widest: %s", o.Scroll, o.Offender)
	}
	// A set-password link, signed out (it signs the browser in, so only looked at here).
	Do(t, anon, chromedp.Navigate(s.a.URL+s.passwordLink), chromedp.WaitVisible(chromedp.CSS(`[data-testid="set-password-form"]`)))
	if o := Eval[overflow](t, anon, overflowJS); o.Scroll > o.Client {
		t.Errorf("%s scrolls sideways: %d px; widest: %s", s.passwordLink, o.Scroll, o.Offender)
	}

	// The instructor's class pages: the roster table scrolls inside itself, the page does not.
	ins := NewBrowser(t)
	Do(t, ins, phone, chromedp.Navigate(s.a.URL+"/login"),
		chromedp.SetValue(chromedp.CSS(`input[name="username"]`), "ivo"),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), sitePassword),
		chromedp.Click(chromedp.CSS(`form button[type="submit"].btn-primary`)),
		// Signed in: the login page has a header too, and navigating while the sign-in is
		// still on its way aborts it (net::ERR_ABORTED).
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)))
	for _, p := range []string{"/classes", "/classes/new", s.classPage} {
		Do(t, ins, chromedp.Navigate(s.a.URL+p), chromedp.WaitReady(chromedp.CSS(`footer.site-footer`)))
		if o := Eval[overflow](t, ins, overflowJS); o.Scroll > o.Client {
			t.Errorf("instructor's %s scrolls sideways on a phone: %d px; widest: %s", p, o.Scroll, o.Offender)
		}
	}

	// Code in questions is readable in full: scrollable or wrapped, never cut off, on the
	// phone and on a desktop screen.
	for _, size := range [][2]int64{{390, 844}, {1280, 900}} {
		Do(t, ctx, chromedp.EmulateViewport(size[0], size[1]))
		for _, p := range codeQs {
			Do(t, ctx, chromedp.Navigate(s.a.URL+p), chromedp.WaitReady(chromedp.CSS(`[data-testid="question"]`)))
			for _, b := range Eval[[]string](t, ctx, clippedCodeJS) {
				t.Errorf("%s at %dx%d: %s", p, size[0], size[1], b)
			}
		}
	}
}

// Package components holds kcnaprep's shared templ components: the page layout and the
// small pieces pages reuse (progress bars, pills).
package components

// Page is what the layout needs from every page.
type Page struct {
	Title  string // the page's own title; the layout appends the site name
	Nav    string // the active navigation item: "home", "search", "practice", "exams", "labs"
	User   string // display name of the signed-in learner
	Staff  bool   // instructor or admin: sees the instructor links
	Logout bool   // accounts mode: show the sign-out button
	Assets Assets
	Flash  string // a one-off notice shown at the top
	// Query is the text in the header's search box.
	Query string
	// Deferred renders the page's per-user parts (StaffNav, UserBar, a page's own) as slot
	// markers, so the rest can be rendered once and shared by every user (see Slot*).
	Deferred bool
}

// Slot markers stand in for the per-user parts of a page rendered with Page.Deferred. They are
// HTML comments, which the Markdown renderer never lets through from content (raw HTML is
// escaped), so they cannot occur anywhere else in a page.
const (
	SlotStaffNav = "<!--kcnaprep-slot:staff-nav-->"
	SlotUser     = "<!--kcnaprep-slot:user-->"
	SlotComplete = "<!--kcnaprep-slot:complete-->"
)

// Assets are the versioned URLs of static files.
type Assets struct {
	CSS, Highlight, JS, HTMX, Logo string
}

// Percent returns done/total as a whole percentage (0 when total is 0).
func Percent(done, total int) int {
	if total <= 0 {
		return 0
	}
	return done * 100 / total
}

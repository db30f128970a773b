package pages

import "strconv"

// navTitle describes a navigator cell for screen readers and tooltips.
func navTitle(it NavItem) string {
	s := "Question " + strconv.Itoa(it.Position)
	switch {
	case it.Answered && it.Flagged:
		s += ": answered, flagged"
	case it.Answered:
		s += ": answered"
	case it.Flagged:
		s += ": flagged, not answered"
	default:
		s += ": not answered"
	}
	return s
}

package classroom

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/kcnaprep/kcnaprep/internal/domain"
)

// Roster limits: a file larger than this is refused whole before it is read.
const (
	MaxRosterRows  = 5000
	MaxRosterBytes = 4 << 20
	maxProblems    = 200 // problems listed before "and more"
	maxNameRunes   = 200
)

// rosterColumns are the columns a roster has, in any order; each exactly once.
var rosterColumns = []string{"username", "name", "email", "section"}

// ParseRoster reads a roster CSV (RFC 4180, UTF-8, a byte-order mark allowed) with the header
// username,name,email,section in any order. sections are the class's sections; a row naming
// another is a problem. It returns every row, or a *domain.RosterError naming every problem
// with its line: an empty, malformed or repeated username, bad quoting, an unknown, missing or
// repeated column, an unknown section, a bad e-mail address, a row with too few or too many
// fields. file names the file in the problems.
func ParseRoster(file string, r io.Reader, sections []string) ([]domain.RosterRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRosterBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read roster %s: %w", file, err)
	}
	rerr := &domain.RosterError{File: file}
	problem := func(line int, format string, args ...any) bool {
		if len(rerr.Problems) == maxProblems {
			rerr.Problems = append(rerr.Problems, domain.RosterProblem{Line: line, Message: "more problems follow; fix these first"})
		}
		if len(rerr.Problems) > maxProblems {
			return false
		}
		rerr.Problems = append(rerr.Problems, domain.RosterProblem{Line: line, Message: fmt.Sprintf(format, args...)})
		return true
	}
	if len(data) > MaxRosterBytes {
		problem(0, "the file is larger than %d MiB", MaxRosterBytes>>20)
		return nil, rerr
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Name the first line that is not UTF-8 (a spreadsheet's "CSV" is often Windows-1252).
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		problem(line, "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
		return nil, rerr
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // counted here, to name the line
	cr.ReuseRecord = false

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		problem(0, "the file is empty: it needs the header line username,name,email,section")
		return nil, rerr
	}
	col := map[string]int{}
	if err != nil {
		problem(parseErrLine(err, 1), "bad CSV in the header: %s", csvReason(err))
		return nil, rerr
	}
	anyKnown := false
	for _, h := range header {
		anyKnown = anyKnown || contains(rosterColumns, strings.ToLower(strings.TrimSpace(h)))
	}
	if !anyKnown {
		problem(1, "the first line is not the header: the file needs the header line username,name,email,section (in any order), found %q", strings.Join(header, ","))
		return nil, rerr
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !contains(rosterColumns, name):
			problem(1, "unknown column %q: the columns are username, name, email and section", h)
		case hasKey(col, name):
			problem(1, "the column %q appears twice", name)
		default:
			col[name] = i
		}
	}
	for _, c := range rosterColumns {
		if !hasKey(col, c) {
			problem(1, "missing column %q: the header is username,name,email,section (in any order)", c)
		}
	}
	if len(rerr.Problems) > 0 {
		return nil, rerr
	}
	known := map[string]bool{}
	for _, s := range sections {
		known[s] = true
	}
	seen := map[string]int{} // username -> line
	var rows []domain.RosterRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("read roster %s: %w", file, err)
			}
			if !problem(parseErrLine(err, 0), "bad CSV: %s", csvReason(err)) {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= MaxRosterRows {
			problem(line, "more than %d people: split the roster", MaxRosterRows)
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line (a lone space, say) is not a person
		}
		if len(rec) != len(header) {
			problem(line, "%d fields, but the header has %d", len(rec), len(header))
			continue
		}
		row := domain.RosterRow{Line: line,
			Username: strings.TrimSpace(rec[col["username"]]),
			Name:     strings.TrimSpace(rec[col["name"]]),
			Email:    strings.TrimSpace(rec[col["email"]]),
			Section:  strings.TrimSpace(rec[col["section"]]),
		}
		before := len(rerr.Problems)
		if row.Username == "" {
			problem(line, "empty username")
		} else if err := domain.ValidateUsername(row.Username); err != nil {
			problem(line, "%s", domain.ErrorMessage(err))
		} else if first, dup := seen[row.Username]; dup {
			problem(line, "the username %q is also on line %d", row.Username, first)
		} else {
			seen[row.Username] = line
		}
		if utf8.RuneCountInString(row.Name) > maxNameRunes || strings.ContainsFunc(row.Name, isControl) {
			problem(line, "the name is longer than %d characters or holds control characters", maxNameRunes)
		}
		if row.Email != "" {
			if a, err := mail.ParseAddress(row.Email); err != nil || a.Address != row.Email {
				problem(line, "%q is not an e-mail address (leave it empty if there is none)", row.Email)
			}
		}
		if row.Section != "" && !known[row.Section] {
			if len(sections) == 0 {
				problem(line, "unknown section %q: the class has no sections", row.Section)
			} else {
				problem(line, "unknown section %q: the class's sections are %s", row.Section, strings.Join(sections, ", "))
			}
		}
		if len(rerr.Problems) > maxProblems {
			break
		}
		if len(rerr.Problems) == before {
			rows = append(rows, row)
		}
	}
	if len(rerr.Problems) > 0 {
		return nil, rerr
	}
	if len(rows) == 0 {
		problem(0, "no people: the file has only its header")
		return nil, rerr
	}
	return rows, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func parseErrLine(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine != 0 && pe.StartLine != pe.Line {
			return pe.StartLine
		}
		return pe.Line
	}
	return fallback
}

// csvReason says what encoding/csv found wrong, in words a spreadsheet user follows.
func csvReason(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("a quote (\") inside a field that does not start with one (column %d); put the field in quotes and double the quote: \"a \"\"b\"\" c\"", pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		if pe.StartLine != pe.Line {
			return fmt.Sprintf("a quoted field opened on line %d is never closed (or has a stray quote, line %d, column %d)", pe.StartLine, pe.Line, pe.Column)
		}
		return fmt.Sprintf("a stray or missing quote in a quoted field (column %d)", pe.Column)
	}
	return pe.Err.Error()
}

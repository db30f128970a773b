package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/web/components"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// lessonSlots are the per-user parts of a lesson page, in page order.
var lessonSlots = []string{components.SlotStaffNav, components.SlotUser, components.SlotComplete}

// lessonPage is a lesson rendered once for everyone: the bytes between the per-user slots.
type lessonPage struct {
	segs [][]byte // len(lessonSlots)+1 parts
	size int      // their total length
	hash string   // of the parts: changes with the content, the assets and the templates
}

// lessonPages renders each lesson's shared parts once. The catalog does not change while the
// server runs, so a lesson's ID names its content; the hash in the ETag covers the rest.
type lessonPages struct {
	m sync.Map // lesson ID -> *lessonPage
}

func (lp *lessonPages) get(l *catalog.Lesson, vm func(*catalog.Lesson) pages.LessonVM) (*lessonPage, error) {
	if p, ok := lp.m.Load(l.ID); ok {
		return p.(*lessonPage), nil
	}
	var buf bytes.Buffer
	if err := pages.Lesson(vm(l)).Render(context.Background(), &buf); err != nil {
		return nil, fmt.Errorf("render lesson %s: %w", l.ID, err)
	}
	p, err := splitSlots(buf.String(), lessonSlots)
	if err != nil {
		return nil, fmt.Errorf("render lesson %s: %w", l.ID, err)
	}
	actual, _ := lp.m.LoadOrStore(l.ID, p)
	return actual.(*lessonPage), nil
}

// splitSlots cuts a page at its slot markers, which must each occur once and in order.
func splitSlots(page string, slots []string) (*lessonPage, error) {
	p := &lessonPage{}
	sum := sha256.New()
	rest := page
	for _, slot := range slots {
		before, after, ok := strings.Cut(rest, slot)
		if !ok || strings.Contains(after, slot) {
			return nil, fmt.Errorf("slot %s missing, repeated or out of order", slot)
		}
		p.segs = append(p.segs, []byte(before))
		rest = after
	}
	p.segs = append(p.segs, []byte(rest))
	for _, s := range p.segs {
		p.size += len(s)
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		sum.Write(n[:])
		sum.Write(s)
	}
	p.hash = hex.EncodeToString(sum.Sum(nil)[:9])
	return p, nil
}

// etag names the page a user gets: the shared parts and everything the per-user parts show,
// with the user's ID, so two users never share a tag even if their pages look alike.
func (p *lessonPage) etag(userID int64, page components.Page, c pages.CompleteVM) string {
	sum := sha256.New()
	fmt.Fprintf(sum, "%d\x00%q\x00%t\x00%t\x00%t\x00%q\x00%q", userID, page.User, page.Staff, page.Logout, c.Done, c.CompletedAt, c.URL)
	return `"` + p.hash + "-" + hex.EncodeToString(sum.Sum(nil)[:9]) + `"`
}

// etagMatches reports whether an If-None-Match header names etag (weak comparison, RFC 9110
// 13.1.2: a W/ prefix is ignored) or is "*".
func etagMatches(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}

// lessonParts is a request's rendering of the per-user parts, pooled.
type lessonParts struct {
	buf  bytes.Buffer
	ends [3]int
}

func (p *lessonParts) reset() { p.buf.Reset(); p.ends = [3]int{} }

var lessonPartsPool = sync.Pool{New: func() any { return &lessonParts{} }}

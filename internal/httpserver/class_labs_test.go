package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/httpserver"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"golang.org/x/crypto/bcrypt"
)

// An instructor pre-warms lab environments for a class from its page (issue 11): the page
// shows the pool's state and the schedule; a double submit makes one schedule; a bad count
// is refused with the form kept; cancelling works; a server whose backend cannot pool says so.
func TestClassPreWarm(t *testing.T) {
	fp := testenv.NewFakePool()
	srv := testenv.MustOpenServer(t, testenv.WithAccounts(), testenv.WithPoolingLabs(fp, true),
		testenv.WithHTTPOptions(httpserver.WithAddressLimit(10000, time.Millisecond)))
	ctx := context.Background()
	h, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	ivo := testenv.MustCreateAccount(t, srv.DB, "ivo", "Ivo", domain.RoleInstructor, string(h))
	if _, err := srv.Class.CreateClass(ctx, ivo, "kcna-1", "KCNA one", nil); err != nil {
		t.Fatal(err)
	}
	c := client()
	login(t, c, srv.URL, "ivo", "correct horse")
	if err := srv.Labs.WarmPool(ctx, 1); err != nil { // one ready already
		t.Fatal(err)
	}

	code, body, _ := get(t, c, srv.URL+"/classes/kcna-1")
	if code != http.StatusOK || !strings.Contains(body, `data-testid="pool-ready">1<`) || !strings.Contains(body, `data-testid="warm-submit"`) {
		t.Fatalf("class page = %d, no pool state or form:\n%s", code, section(body))
	}
	at := time.Now().In(time.UTC).Add(26 * time.Hour).Truncate(time.Minute)
	form := url.Values{"count": {"12"}, "at": {at.Format("2006-01-02T15:04")}, "tz": {"UTC"}}
	for range 2 { // the double submit
		if code, loc, _ := do(t, c, "POST", srv.URL+"/classes/kcna-1/lab-pool", form); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/classes/kcna-1?done=warm") {
			t.Fatalf("schedule = %d %q", code, loc)
		}
	}
	ws, err := srv.Labs.WarmSchedules(ctx, "kcna-1")
	if err != nil || len(ws) != 1 || ws[0].Count != 12 || !ws[0].ReadyAt.Equal(at) || ws[0].CreatedBy != ivo.ID {
		t.Fatalf("after two submits: %+v (%v), want one schedule of 12 at %s", ws, err, at)
	}
	_, body, _ = get(t, c, srv.URL+"/classes/kcna-1?done=warm")
	if !strings.Contains(body, `data-testid="warm-schedules"`) || !strings.Contains(body, `<td>12</td>`) ||
		!strings.Contains(body, `data-state="scheduled"`) || !strings.Contains(body, at.Format(time.RFC3339)) {
		t.Errorf("the class page does not show the schedule:\n%s", section(body))
	}

	// Bad input: a clear message, and what was typed is still in the form.
	for _, bad := range []url.Values{
		{"count": {"0"}, "at": {at.Format("2006-01-02T15:04")}, "tz": {"UTC"}},
		{"count": {"many"}, "at": {at.Format("2006-01-02T15:04")}, "tz": {"UTC"}},
		{"count": {"3"}, "at": {"2001-01-01T09:00"}, "tz": {"UTC"}},
		{"count": {"3"}, "at": {""}, "tz": {"UTC"}},
	} {
		code, _, body := do(t, c, "POST", srv.URL+"/classes/kcna-1/lab-pool", bad)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="warm-error"`) ||
			!strings.Contains(body, `value="`+bad.Get("count")+`"`) {
			t.Errorf("bad pre-warm %v = %d:\n%s", bad, code, section(body))
		}
	}
	if ws, _ := srv.Labs.WarmSchedules(ctx, "kcna-1"); len(ws) != 1 {
		t.Errorf("bad input added schedules: %+v", ws)
	}

	code, loc, _ := do(t, c, "POST", srv.URL+"/classes/kcna-1/lab-pool/"+strconv.FormatInt(ws[0].ID, 10)+"/cancel", url.Values{})
	if code != http.StatusSeeOther || !strings.Contains(loc, "warm-cancelled") {
		t.Fatalf("cancel = %d %q", code, loc)
	}
	if ws, _ := srv.Labs.WarmSchedules(ctx, "kcna-1"); ws[0].State != domain.LabWarmCancelled {
		t.Errorf("after cancel: %s", ws[0].State)
	}
	if code, _, _ := do(t, c, "POST", srv.URL+"/classes/kcna-1/lab-pool/999/cancel", url.Values{}); code != http.StatusNotFound {
		t.Errorf("cancel of no such pre-warm = %d, want 404", code)
	}
}

// A backend that cannot prepare environments in advance: the page says so and offers no form.
func TestClassPreWarmWithoutPool(t *testing.T) {
	srv := testenv.MustOpenServer(t, testenv.WithAccounts(), testenv.WithLabs(&testenv.FakeBackend{}, true),
		testenv.WithHTTPOptions(httpserver.WithAddressLimit(10000, time.Millisecond)))
	h, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	ivo := testenv.MustCreateAccount(t, srv.DB, "ivo", "Ivo", domain.RoleInstructor, string(h))
	if _, err := srv.Class.CreateClass(context.Background(), ivo, "kcna-1", "KCNA one", nil); err != nil {
		t.Fatal(err)
	}
	c := client()
	login(t, c, srv.URL, "ivo", "correct horse")
	_, body, _ := get(t, c, srv.URL+"/classes/kcna-1")
	if !strings.Contains(body, "cannot prepare environments in advance") || strings.Contains(body, `data-testid="warm-submit"`) {
		t.Errorf("class page on a backend without a pool:\n%s", section(body))
	}
	form := url.Values{"count": {"2"}, "at": {time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")}, "tz": {"UTC"}}
	if code, _, body := do(t, c, "POST", srv.URL+"/classes/kcna-1/lab-pool", form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot prepare") {
		t.Errorf("pre-warm on a backend without a pool = %d", code)
	}
}

// section is the class page's lab section, for failure messages.
func section(body string) string {
	if i := strings.Index(body, `data-testid="class-labs"`); i >= 0 {
		return body[i:min(len(body), i+3000)]
	}
	return body[:min(len(body), 2000)]
}

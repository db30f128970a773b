package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// labEnv is a server with the real lab service on a fake backend (no Docker in these tests;
// TestIntegrationLabs drives the service on kind).
type labEnv struct {
	*env
	fb   *testenv.FakeBackend
	svc  *lab.Service
	user *domain.User
}

func newLabEnv(t *testing.T, withLabs bool) *labEnv {
	t.Helper()
	fb := &testenv.FakeBackend{Gate: make(chan struct{})}
	s := testenv.MustOpenServer(t, testenv.WithContent(testenv.MustLoadContent(t, testcontent.LabFilesWithoutSetup("scale-web"))),
		testenv.WithLabs(fb, withLabs))
	return &labEnv{env: envOf(t, s), fb: fb, svc: s.Labs, user: s.User}
}

var htmx = map[string]string{"HX-Request": "true"}

func (e *labEnv) fragment(method, path string) *goquery.Document {
	e.t.Helper()
	resp := e.do(method, path, url.Values{}, htmx)
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("%s %s = %d\n%s", method, path, resp.StatusCode, b)
	}
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func TestLabListAndPage(t *testing.T) {
	e := newLabEnv(t, true)
	d := e.doc("/labs", 200)
	card := d.Find(`[data-testid="lab-card-scale-web"]`)
	if href, _ := card.Attr("href"); href != "/labs/scale-web" || !strings.Contains(card.Text(), "Scale a Deployment to three replicas.") {
		t.Fatalf("card = %q %q", href, card.Text())
	}
	d = e.doc("/labs/scale-web", 200)
	if got := d.Find(`[data-testid="lab-title"]`).Text(); got != "Scale the web Deployment" {
		t.Errorf("title = %q", got)
	}
	if got := d.Find(".lab-requirements li").Text(); got != "The Deployment web asks for 3 replicas." {
		t.Errorf("requirements = %q", got)
	}
	if d.Find(`[data-testid="lab-start"]`).Length() != 1 || d.Find(`[data-testid="hint-scale"]`).Length() != 0 {
		t.Error("before starting: want a start button and no hint button")
	}
	e.doc("/labs/nope", 404)
}

func TestLabStartShowsLiveProgressThenAccess(t *testing.T) {
	e := newLabEnv(t, true)
	d := e.fragment("POST", "/labs/scale-web/start")
	panel := d.Find(`[data-testid="lab-session"]`)
	if st, _ := panel.Attr("data-state"); st != "provisioning" {
		t.Fatalf("state after start = %q", st)
	}
	// While the job runs, the panel polls itself and lists the steps with their times.
	if get, _ := panel.Attr("hx-get"); get != "/labs/scale-web/session" {
		t.Errorf("hx-get = %q", get)
	}
	if trig, _ := panel.Attr("hx-trigger"); trig != "every 2s" {
		t.Errorf("hx-trigger = %q", trig)
	}
	// Until the job records its first step the panel says it is starting; then it shows the
	// running step with its time.
	step := d.Find(`[data-testid="lab-steps"] li.running`)
	for i := 0; i < 100 && strings.Contains(step.Text(), "Starting"); i++ {
		time.Sleep(20 * time.Millisecond)
		step = e.fragment("GET", "/labs/scale-web/session").Find(`[data-testid="lab-steps"] li.running`)
	}
	if !strings.Contains(step.Text(), "Create fake cluster") || !strings.HasSuffix(strings.TrimSpace(step.Find(".muted").Text()), "s") {
		t.Errorf("running step = %q", step.Text())
	}
	close(e.fb.Gate)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.svc.Wait(ctx, e.user.ID, "scale-web", nil); err != nil {
		t.Fatal(err)
	}
	d = e.fragment("GET", "/labs/scale-web/session")
	panel = d.Find(`[data-testid="lab-session"]`)
	if _, polling := panel.Attr("hx-trigger"); polling {
		t.Error("still polling when ready")
	}
	export := d.Find(`[data-testid="lab-export"]`).Text()
	if !strings.HasPrefix(export, "export KUBECONFIG=/") || !strings.HasSuffix(export, ".kubeconfig") {
		t.Errorf("export line = %q", export)
	}
	resp := e.do("GET", "/labs/scale-web/kubeconfig", nil, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="kcnaprep-scale-web.kubeconfig"`) ||
		!strings.Contains(string(body), "lab-scale-web") {
		t.Errorf("download = %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
	// Hints, one at a time, with htmx.
	d = e.fragment("POST", "/labs/scale-web/tasks/scale/hint")
	if d.Find(".lab-hint").Length() != 1 || !strings.Contains(d.Find(".lab-hint").Text(), "kubectl scale") {
		t.Errorf("hint fragment = %q", d.Text())
	}
	if d.Find(`[data-testid="hint-scale"]`).Length() != 0 {
		t.Error("the only hint is shown, yet a button offers more")
	}
}

func TestLabActionsRefusedShowANotice(t *testing.T) {
	e := newLabEnv(t, true)
	// Check before starting: the panel says why, without an error page.
	d := e.fragment("POST", "/labs/scale-web/check")
	if got := d.Find(".notice").Text(); got != "You have not started this lab." {
		t.Errorf("notice = %q", got)
	}
	// Without htmx, actions redirect back to the lab page.
	close(e.fb.Gate)
	resp := e.do("POST", "/labs/scale-web/start", url.Values{}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/labs/scale-web#lab-session" {
		t.Fatalf("start without htmx = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ctx := context.Background()
	sess, err := e.svc.Wait(ctx, e.user.ID, "scale-web", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A stored report is shown check by check.
	rep := &domain.LabReport{CheckedAt: time.Now(), Took: 1500 * time.Millisecond, Tasks: []domain.LabTaskResult{{ID: "scale", Title: "Scale it",
		Checks: []domain.LabCheckResult{{ID: "replicas", Message: "The Deployment web asks for 3 replicas.", Detail: "observed: 2"}}}}}
	if err := e.db.SaveLabReport(ctx, e.user.ID, sess.ID, rep); err != nil {
		t.Fatal(err)
	}
	d = e.doc("/labs/scale-web", 200)
	res := d.Find(`[data-testid="lab-check-result"]`)
	if p, _ := res.Attr("data-passed"); p != "false" || !strings.Contains(res.Text(), "observed: 2") {
		t.Errorf("result = %q passed=%s", res.Text(), p)
	}
	if got := d.Find(`[data-testid="lab-result"]`).Text(); got != "0 of 1 checks pass" {
		t.Errorf("summary = %q", got)
	}
	resp = e.do("POST", "/labs/scale-web/stop", url.Values{}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("stop = %d", resp.StatusCode)
	}
	if _, err := e.svc.Wait(ctx, e.user.ID, "scale-web", nil); err != nil {
		t.Fatal(err)
	}
	d = e.doc("/labs/scale-web", 200)
	if st, _ := d.Find(`[data-testid="lab-session"]`).Attr("data-state"); st != "ended" || d.Find(`[data-testid="lab-report"]`).Length() != 0 {
		t.Errorf("after finishing: state %q, report shown %v", st, d.Find(`[data-testid="lab-report"]`).Length())
	}
}

func TestLabsWithoutBackend(t *testing.T) {
	e := newLabEnv(t, false)
	d := e.doc("/labs", 200)
	if !strings.Contains(d.Find(".notice").Text(), "no lab backend") {
		t.Errorf("notice = %q", d.Find(".notice").Text())
	}
	if resp := e.do("POST", "/labs/scale-web/start", url.Values{}, htmx); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("start without backend = %d", resp.StatusCode)
	}
}

// When the backend's dependency is missing (kind without Docker), the labs page says what
// the backend says, and starting a lab answers with it instead of failing later (issue 14.9).
func TestLabsWithoutDockerSayHowToEnable(t *testing.T) {
	e := newLabEnv(t, true)
	e.fb.Down = domain.Errorf(domain.EUNAVAILABLE, "Labs need Docker; start it with --lab-backend none to run without labs.")
	d := e.doc("/labs", 200)
	if got := d.Find(`[data-testid="labs-disabled"]`).Text(); !strings.Contains(got, "Labs need Docker") {
		t.Errorf("labs page notice = %q", got)
	}
	frag := e.fragment("POST", "/labs/scale-web/start")
	if got := frag.Find(".notice").Text(); !strings.Contains(got, "--lab-backend none") {
		t.Errorf("start notice = %q", got)
	}
	if n, _ := e.svc.Sessions(context.Background(), e.user.ID); len(n) != 0 {
		t.Errorf("a session was recorded although labs cannot run: %v", n)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/serverproc"
	"github.com/kcnaprep/kcnaprep/internal/store"
)

// saved is one answer the server acknowledged with 200, and when.
type saved struct {
	exam    int64
	pos     int
	picked  string
	ackedAt time.Time
}

// TestBackupUnderLoadAndRestore runs the real server with learners saving exam answers as
// fast as they can, takes "server backup" in the middle, restores it into the data directory
// and finds every answer acknowledged before the backup started (issue 15, point 4). Restore
// refuses while the server runs; a second backup to the same file refuses without --force.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	data := t.TempDir()
	env := []string{"KCNAPREP_DATA_DIR=" + data}
	const learners = 4
	for i := range learners {
		if _, stderr, err := user(t, data, "a long enough secret\n", "add", fmt.Sprintf("learner%d", i)); err != nil {
			t.Fatalf("user add: %v %s", err, stderr)
		}
	}
	addr, err := serverproc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--data-dir", data, "--log-level", "warn", "--lab-backend", "none"}
	srv, err := serverproc.Start(serverBin, addr, args, 20*time.Millisecond, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(os.Kill) })
	base := "http://" + addr

	var (
		mu          sync.Mutex
		acks        []saved
		backupStart time.Time
		backupEnd   time.Time
		afterBackup int // answers acknowledged after the backup ended
	)
	stop := make(chan struct{})
	var stopOnce sync.Once
	errs := make(chan error, learners)
	var wg sync.WaitGroup
	for i := range learners {
		wg.Go(func() {
			if err := saveAnswers(base, fmt.Sprintf("learner%d", i), stop, func(s saved) {
				mu.Lock()
				defer mu.Unlock()
				acks = append(acks, s)
				if !backupEnd.IsZero() && s.ackedAt.After(backupEnd) {
					if afterBackup++; afterBackup == 40 {
						stopOnce.Do(func() { close(stop) })
					}
				}
			}); err != nil {
				errs <- err
				stopOnce.Do(func() { close(stop) })
			}
		})
	}
	// Back up once the learners are well under way.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 40 {
			break
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		case <-ctx.Done():
			t.Fatalf("only %d answers saved before the deadline", n)
		case <-time.After(10 * time.Millisecond):
		}
	}
	backup := filepath.Join(t.TempDir(), "backups", "backup.db") // a directory that does not exist yet, as for the chart's first CronJob run
	mu.Lock()
	backupStart = time.Now()
	mu.Unlock()
	out, errOut, code := runBin(t, env, "backup", backup)
	mu.Lock()
	backupEnd = time.Now()
	mu.Unlock()
	if code != 0 || !strings.Contains(out, "backed up") || !strings.Contains(out, fmt.Sprintf("%d accounts", learners)) {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	select {
	case <-stop:
	case <-ctx.Done():
		t.Fatal("the learners did not save 40 more answers after the backup")
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	if _, errOut, code := runBin(t, env, "backup", backup); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("a second backup to the same file: exit %d %s", code, errOut)
	}
	if _, errOut, code := runBin(t, env, "restore", backup); code != 1 || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("restore while the server runs: exit %d %s", code, errOut)
	}
	if err := srv.Stop(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runBin(t, env, "restore", backup)
	if code != 0 || !strings.Contains(out, "previous database is kept as") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}

	db, err := store.Open(context.Background(), filepath.Join(data, "kcnaprep.db"), store.MustExist())
	if err != nil {
		t.Fatal(err)
	}
	answers := map[[2]int64]string{}
	for _, a := range acks {
		if _, ok := answers[[2]int64{a.exam, 0}]; ok {
			continue
		}
		answers[[2]int64{a.exam, 0}] = "loaded"
		rows, err := db.ExamQuestionsAnyUser(context.Background(), a.exam)
		if err != nil && !a.ackedAt.After(backupStart) {
			t.Fatalf("exam %d: %v", a.exam, err)
		}
		for _, r := range rows {
			answers[[2]int64{a.exam, int64(r.Position)}] = joinInts(r.Picked)
		}
	}
	db.Close()
	var before, lost, missingAfter int
	for _, a := range acks {
		got := answers[[2]int64{a.exam, int64(a.pos)}]
		switch {
		case a.ackedAt.Before(backupStart):
			before++
			if got != a.picked {
				lost++
				t.Errorf("exam %d question %d: acknowledged %q before the backup, restored %q", a.exam, a.pos, a.picked, got)
			}
		case a.ackedAt.After(backupEnd) && got == "":
			missingAfter++
		}
	}
	t.Logf("%d answers saved, %d before the backup (%d lost), %d after it, %d of those not in the backup",
		len(acks), before, lost, afterBackup, missingAfter)
	if missingAfter == 0 {
		t.Error("every answer saved after the backup is in the restored database: was it restored?")
	}
	// The restored database serves.
	srv, err = serverproc.Start(serverBin, addr, args, 20*time.Millisecond, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_ = srv.Stop(os.Interrupt)
}

var (
	examPathRe  = regexp.MustCompile(`/exams/(\d+)/`)
	examTotalRe = regexp.MustCompile(`Question \d+ of (\d+)`)
)

// saveAnswers signs in and answers exam questions one after another (exam after exam) until
// stop is closed, calling acked for each answer the server acknowledged.
func saveAnswers(base, username string, stop <-chan struct{}, acked func(saved)) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	post := func(path string, form url.Values, htmx bool) (*http.Response, string, error) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", fmt.Errorf("%s: POST %s: %w", username, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return resp, string(b), fmt.Errorf("%s: POST %s: status %d", username, path, resp.StatusCode)
		}
		return resp, string(b), nil
	}
	if _, _, err := post("/login", url.Values{"username": {username}, "password": {"a long enough secret"}}, false); err != nil {
		return err
	}
	for {
		resp, page, err := post("/exams", nil, false)
		if err != nil {
			return err
		}
		m, tm := examPathRe.FindStringSubmatch(resp.Request.URL.Path), examTotalRe.FindStringSubmatch(page)
		if m == nil || tm == nil {
			return fmt.Errorf("%s: starting an exam led to %s", username, resp.Request.URL.Path)
		}
		exam, _ := strconv.ParseInt(m[1], 10, 64)
		total, _ := strconv.Atoi(tm[1])
		for pos := 1; pos <= total; pos++ {
			select {
			case <-stop:
				return nil
			default:
			}
			picked := strconv.Itoa((pos + int(exam)) % 2) // every question has at least two choices
			path := fmt.Sprintf("/exams/%d/q/%d/answer", exam, pos)
			if _, _, err := post(path, url.Values{"choice": {picked}}, true); err != nil {
				return err
			}
			acked(saved{exam: exam, pos: pos, picked: picked, ackedAt: time.Now()})
		}
		if _, _, err := post(fmt.Sprintf("/exams/%d/submit", exam), nil, false); err != nil {
			return err
		}
	}
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

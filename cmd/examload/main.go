// Command examload is a load test of the mock exam: it starts a real kcnaprep server process
// on loopback, creates N learner accounts, and lets N simulated learners each take a mock exam
// at once, answering a question every 1 to 3 seconds. Midway it kills the server with SIGKILL,
// restarts it on the same data, lets the learners carry on, and finally counts the answers the
// server had acknowledged (HTTP 200) that are missing from the database. It reports answer-save
// latency percentiles, errors and the database size.
//
//	go run ./cmd/examload -learners 300 -kill-after 60s
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/serverproc"
	"github.com/kcnaprep/kcnaprep/internal/store"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	learners := flag.Int("learners", 300, "simulated learners taking an exam at once")
	killAfter := flag.Duration("kill-after", 60*time.Second, "SIGKILL the server this long after the start (0: never)")
	down := flag.Duration("down", 2*time.Second, "how long the server stays down before the restart")
	minThink := flag.Duration("min-think", time.Second, "shortest pause between answers")
	maxThink := flag.Duration("max-think", 3*time.Second, "longest pause between answers")
	contentDir := flag.String("content-dir", "", "content to serve (default: embedded)")
	keep := flag.Bool("keep", false, "keep the data directory")
	flag.Parse()
	if err := run(*learners, *killAfter, *down, *minThink, *maxThink, *contentDir, *keep); err != nil {
		log.Fatal(err)
	}
}

type ack struct {
	exam, pos int64
	picked    string
}

type stats struct {
	mu        sync.Mutex
	latencies []time.Duration
	acks      []ack
	errs      map[string]int
	answers   atomic.Int64
	finished  atomic.Int64
}

func (s *stats) fail(kind string) {
	s.mu.Lock()
	s.errs[kind]++
	s.mu.Unlock()
}

func run(n int, killAfter, down, minThink, maxThink time.Duration, contentDir string, keep bool) error {
	dir, err := os.MkdirTemp("", "examload")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	log.Printf("building the server")
	bin, err := serverproc.Build(dir)
	if err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	dbPath := app.Config{DataDir: data}.DatabasePath()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	// Accounts with a cheap hash: the test measures exams, not 300 bcrypt logins at once.
	hash, _ := bcrypt.GenerateFromPassword([]byte("load-test-password"), bcrypt.MinCost)
	for i := range n {
		if _, err := db.CreateAccount(ctx, fmt.Sprintf("learner%03d", i), fmt.Sprintf("Learner %d", i), domain.RoleLearner, string(hash)); err != nil {
			return err
		}
	}
	db.Close()

	addr, err := serverproc.FreeAddr()
	if err != nil {
		return err
	}
	base := "http://" + addr
	args := []string{"--data-dir", data, "--log-level", "warn", "--lab-backend", "none"}
	if contentDir != "" {
		args = append(args, "--content-dir", contentDir)
	}
	start := func() (*serverproc.Proc, error) {
		p, err := serverproc.Start(bin, addr, args, 20*time.Millisecond, 60*time.Second)
		if err == nil {
			log.Printf("server pid %d ready in %v", p.Pid(), p.Ready.Round(time.Millisecond))
		}
		return p, err
	}
	srv, err := start()
	if err != nil {
		return err
	}
	var srvMu sync.Mutex
	defer func() { srvMu.Lock(); _ = srv.Stop(os.Kill); srvMu.Unlock() }()

	st := &stats{errs: map[string]int{}}
	transport := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}
	var wg sync.WaitGroup
	t0 := time.Now()
	var killedAt, restartedAt time.Time
	if killAfter > 0 {
		go func() {
			time.Sleep(killAfter)
			srvMu.Lock()
			defer srvMu.Unlock()
			log.Printf("SIGKILL server pid %d after %v, %d answers acknowledged", srv.Pid(), time.Since(t0).Round(time.Second), st.answers.Load())
			killedAt = time.Now()
			_ = srv.Stop(os.Kill)
			time.Sleep(down)
			s2, err := start()
			if err != nil {
				log.Fatalf("restart: %v", err)
			}
			srv, restartedAt = s2, time.Now()
		}()
	}
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			learner(base, fmt.Sprintf("learner%03d", i), transport, st, minThink, maxThink, uint64(i))
		}(i)
		time.Sleep(5 * time.Millisecond) // ramp up over ~1.5 s
	}
	wg.Wait()
	elapsed := time.Since(t0)

	srvMu.Lock()
	_ = srv.Stop(syscall.SIGTERM)
	srvMu.Unlock()

	// Count acknowledged answers missing from the database.
	db, err = store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	lost, checked := 0, 0
	byExam := map[int64]map[int64]string{}
	last := map[[2]int64]string{}
	for _, a := range st.acks {
		last[[2]int64{a.exam, a.pos}] = a.picked
	}
	for k, picked := range last {
		m := byExam[k[0]]
		if m == nil {
			m = map[int64]string{}
			byExam[k[0]] = m
			rows, err := db.ExamQuestionsAnyUser(ctx, k[0])
			if err != nil {
				return err
			}
			for _, r := range rows {
				m[int64(r.Position)] = joinInts(r.Picked)
			}
		}
		checked++
		if m[k[1]] != picked {
			lost++
		}
	}
	size := fileSize(dbPath) + fileSize(dbPath+"-wal")

	lat := st.latencies
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("\nexamload: %d learners, %v\n", n, elapsed.Round(time.Second))
	fmt.Printf("answers acknowledged: %d (%.1f/s); exams finished: %d\n", st.answers.Load(), float64(st.answers.Load())/elapsed.Seconds(), st.finished.Load())
	fmt.Printf("answer-save latency: p50 %v  p90 %v  p99 %v  max %v\n", pct(0.5).Round(time.Microsecond), pct(0.9).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	if !killedAt.IsZero() {
		fmt.Printf("server killed (SIGKILL) at %v, back at %v (down %v)\n", killedAt.Sub(t0).Round(time.Second), restartedAt.Sub(t0).Round(time.Second), restartedAt.Sub(killedAt).Round(time.Millisecond))
	}
	fmt.Printf("errors: %v\n", st.errs)
	fmt.Printf("acknowledged answers checked: %d, lost: %d\n", checked, lost)
	fmt.Printf("database size: %.1f MiB (with WAL)\n", float64(size)/(1<<20))
	if lost > 0 {
		return fmt.Errorf("%d acknowledged answers lost", lost)
	}
	return nil
}

var (
	optionRe = regexp.MustCompile(`data-testid="option" data-value="(\d+)"`)
	pickRe   = regexp.MustCompile(`<strong>Choose (\d+)\.</strong>`)
	totalRe  = regexp.MustCompile(`Question \d+ of (\d+)`)
)

// learner signs in, starts an exam, answers every question with a pause, and submits.
// Requests that fail while the server is down are retried after a second.
func learner(base, username string, tr *http.Transport, st *stats, minThink, maxThink time.Duration, seed uint64) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}
	rng := rand.New(rand.NewPCG(seed, 42))
	retry := func(kind string, f func() error) {
		for attempt := 0; ; attempt++ {
			if err := f(); err == nil {
				return
			} else if attempt == 120 {
				st.fail(kind + ": gave up: " + err.Error())
				return
			} else {
				st.fail(kind + " (retried)")
			}
			time.Sleep(time.Second)
		}
	}
	retry("login", func() error {
		resp, err := c.PostForm(base+"/login", url.Values{"username": {username}, "password": {"load-test-password"}})
		if err != nil {
			return err
		}
		drain(resp)
		if !strings.Contains(resp.Request.URL.Path, "/") || resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	var examID int64
	retry("start exam", func() error {
		resp, err := c.PostForm(base+"/exams", nil)
		if err != nil {
			return err
		}
		drain(resp)
		m := regexp.MustCompile(`/exams/(\d+)/`).FindStringSubmatch(resp.Request.URL.Path)
		if resp.StatusCode != 200 || m == nil {
			return fmt.Errorf("status %d at %s", resp.StatusCode, resp.Request.URL.Path)
		}
		examID, _ = strconv.ParseInt(m[1], 10, 64)
		return nil
	})
	if examID == 0 {
		return
	}
	total := 1
	for pos := 1; pos <= total; pos++ {
		time.Sleep(minThink + time.Duration(rng.Int64N(int64(maxThink-minThink)+1)))
		var page string
		retry("question page", func() error {
			resp, err := c.Get(fmt.Sprintf("%s/exams/%d/q/%d", base, examID, pos))
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			page = string(b)
			return nil
		})
		if m := totalRe.FindStringSubmatch(page); m != nil {
			total, _ = strconv.Atoi(m[1])
		}
		var opts []string
		for _, m := range optionRe.FindAllStringSubmatch(page, -1) {
			opts = append(opts, m[1])
		}
		if len(opts) == 0 {
			st.fail("question page without options")
			continue
		}
		k := 1
		if m := pickRe.FindStringSubmatch(page); m != nil {
			k, _ = strconv.Atoi(m[1])
		}
		rng.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
		picked := opts[:min(k, len(opts))]
		form := url.Values{"choice": picked}
		retry("save answer", func() error {
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/exams/%d/q/%d/answer", base, examID, pos), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			t := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				return err
			}
			drain(resp)
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			d := time.Since(t)
			ints := make([]int, len(picked))
			for i, p := range picked {
				ints[i], _ = strconv.Atoi(p)
			}
			slices.Sort(ints)
			st.mu.Lock()
			st.latencies = append(st.latencies, d)
			st.acks = append(st.acks, ack{exam: examID, pos: int64(pos), picked: joinInts(ints)})
			st.mu.Unlock()
			st.answers.Add(1)
			return nil
		})
	}
	retry("submit", func() error {
		resp, err := c.PostForm(fmt.Sprintf("%s/exams/%d/submit", base, examID), nil)
		if err != nil {
			return err
		}
		drain(resp)
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	st.finished.Add(1)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body))
	resp.Body.Close()
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

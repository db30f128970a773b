// Command examload is a load test of a class on one server: it starts a real kcnaprep server
// process on loopback, creates N learner accounts, and lets N simulated learners work at once.
// With -mix (the default) each learner opens the dashboard, browses a domain and reads two
// lessons, answers practice questions, takes a mock exam answering a question every 1 to 3
// seconds, and opens the result and the dashboard again; with -mix=false they only take the
// exam. Midway it kills the server with SIGKILL, restarts it on the same data, lets the
// learners carry on, and finally counts the answers the server had acknowledged (HTTP 200)
// that are missing from the database. It reports answer-save latency percentiles, latency per
// route, the server's resident memory, errors and the database size.
// The learners are the students of one class with a mock-exam assignment, which the mix opens
// from the dashboard. -profile saves a CPU profile of the server (through its loopback
// --debug-addr), and the report splits CPU time between the server and this tool, which share
// the machine's cores.
//
//	go run ./cmd/examload -learners 1000 -kill-after 60s
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
	flag.BoolVar(&mix, "mix", true, "mixed workload: dashboard, lessons, practice, then the exam (false: the exam only)")
	flag.BoolVar(&retryJitter, "retry-jitter", true, "a learner whose request failed retries after 0.5-2.5 s (false: after exactly 1 s, all at once)")
	flag.StringVar(&profile, "profile", "", "write a CPU profile of the server to this file (20 s from -profile-at; read it with go tool pprof)")
	flag.DurationVar(&profileAt, "profile-at", 20*time.Second, "when the server's CPU profile starts")
	flag.Parse()
	if err := run(*learners, *killAfter, *down, *minThink, *maxThink, *contentDir, *keep); err != nil {
		log.Fatal(err)
	}
}

type ack struct {
	exam, pos int64
	picked    string
}

// retryPause is how long a learner whose request failed waits before trying again. With
// -retry-jitter (the default) it is 0.5 to 2.5 s: a person who sees the page fail and clicks
// again, which is what the app asks of them (its exam page does not retry by itself). Without
// it, every learner retries exactly a second later, so all whose requests failed while the
// server was down arrive in the same instant when it is back: a harsher burst than a class
// makes.
func retryPause(rng *rand.Rand) time.Duration {
	if !retryJitter {
		return time.Second
	}
	return 500*time.Millisecond + time.Duration(rng.Int64N(int64(2*time.Second)))
}

// burstWindow is how long after the restart a save counts as part of the retry burst.
const burstWindow = 10 * time.Second

// mix is the -mix flag; profile and profileAt are -profile and -profile-at.
var (
	mix         bool
	retryJitter bool
	profile     string
	profileAt   time.Duration
)

type stats struct {
	mu        sync.Mutex
	latencies []time.Duration
	savedAt   []time.Time                // when each answer save (latencies[i]) was acknowledged
	routes    map[string][]time.Duration // page and request latencies by route
	acks      []ack
	errs      map[string]int
	answers   atomic.Int64
	finished  atomic.Int64
}

// timed records how long a successful request to route took.
func (s *stats) timed(route string, d time.Duration) {
	s.mu.Lock()
	s.routes[route] = append(s.routes[route], d)
	s.mu.Unlock()
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
	// One class holds every learner, with a mock-exam assignment due tomorrow: the mix opens
	// it from the dashboard, as a class's students do.
	teacher, err := db.CreateAccount(ctx, "teacher", "Teacher", domain.RoleInstructor, string(hash))
	if err != nil {
		return err
	}
	if err := db.CreateClass(ctx, &domain.Class{ID: "load", Title: "Load class"}, teacher.ID); err != nil {
		return err
	}
	for i := range n {
		u, err := db.CreateAccount(ctx, fmt.Sprintf("learner%03d", i), fmt.Sprintf("Learner %d", i), domain.RoleLearner, string(hash))
		if err != nil {
			return err
		}
		if err := db.AddClassMember(ctx, "load", u.ID, domain.ClassStudent, ""); err != nil {
			return err
		}
	}
	if err := db.CreateAssignment(ctx, &domain.Assignment{ClassID: "load", Kind: domain.AssignExam, Title: "Mock exam before Friday",
		DueAt: time.Now().Add(24 * time.Hour), Questions: 60, Minutes: 90, Attempts: 0, Grading: domain.GradeHighest,
		Review: domain.ReviewAfterDue, Source: domain.SourceBank}); err != nil {
		return err
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
	var debugAddr string
	if profile != "" {
		if debugAddr, err = serverproc.FreeAddr(); err != nil {
			return err
		}
		args = append(args, "--debug-addr", debugAddr)
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
	// CPU time: the server's (both processes, the killed one read just before its kill) and
	// this tool's own, which shares the cores with it.
	var srvCPU time.Duration
	cpu0 := selfCPU()
	if profile != "" {
		go func() {
			time.Sleep(profileAt)
			if err := fetchProfile(debugAddr, profile, 20); err != nil {
				log.Printf("CPU profile: %v", err)
			} else {
				log.Printf("CPU profile of the server written to %s", profile)
			}
		}()
	}

	st := &stats{errs: map[string]int{}, routes: map[string][]time.Duration{}}
	// The server's resident memory, sampled every second (it changes pid on the restart).
	var rssMax, rssLast atomic.Int64
	stopRSS := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopRSS:
				return
			case <-time.After(time.Second):
			}
			srvMu.Lock()
			kb := rssKiB(srv.Pid())
			srvMu.Unlock()
			if kb > 0 {
				rssLast.Store(kb)
				if kb > rssMax.Load() {
					rssMax.Store(kb)
				}
			}
		}
	}()
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
			srvCPU += procCPU(srv.Pid())
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
	close(stopRSS)

	// The server's own view of the answer saves (its request histogram; the restarted process
	// only): the time inside the server, without the network and this tool's scheduling.
	serverView := answerHistogram(base)
	srvMu.Lock()
	srvCPU += procCPU(srv.Pid())
	_ = srv.Stop(syscall.SIGTERM)
	srvMu.Unlock()
	toolCPU := selfCPU() - cpu0

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

	// The saves in the burst after the restart (every learner whose request failed retries
	// within a second or two of the server's return) apart from the rest.
	var burst, steady []time.Duration
	for i, d := range st.latencies {
		if !restartedAt.IsZero() && !st.savedAt[i].Before(restartedAt) && st.savedAt[i].Before(restartedAt.Add(burstWindow)) {
			burst = append(burst, d)
		} else {
			steady = append(steady, d)
		}
	}
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
	if len(burst) > 0 {
		slices.Sort(burst)
		slices.Sort(steady)
		q := func(l []time.Duration, p float64) time.Duration {
			return l[min(len(l)-1, int(p*float64(len(l))))].Round(time.Microsecond)
		}
		fmt.Printf("  the %v after the restart: %d saves, p50 %v  p99 %v  max %v\n", burstWindow, len(burst), q(burst, 0.5), q(burst, 0.99), q(burst, 1))
		fmt.Printf("  the rest of the run:          %d saves, p50 %v  p99 %v  max %v\n", len(steady), q(steady, 0.5), q(steady, 0.99), q(steady, 1))
	}
	if serverView != "" {
		fmt.Printf("  inside the server (the process serving at the end, from its /metrics histogram): %s\n", serverView)
	}
	if !killedAt.IsZero() {
		fmt.Printf("server killed (SIGKILL) at %v, back at %v (down %v)\n", killedAt.Sub(t0).Round(time.Second), restartedAt.Sub(t0).Round(time.Second), restartedAt.Sub(killedAt).Round(time.Millisecond))
	}
	fmt.Printf("CPU: server %.1f s (%.0f%% of one core), this load tool %.1f s (%.0f%%), over %v\n",
		srvCPU.Seconds(), 100*srvCPU.Seconds()/elapsed.Seconds(), toolCPU.Seconds(), 100*toolCPU.Seconds()/elapsed.Seconds(), elapsed.Round(time.Second))
	fmt.Printf("server RSS: max %.0f MiB, at the end %.0f MiB\n", float64(rssMax.Load())/1024, float64(rssLast.Load())/1024)
	fmt.Printf("latency by route (successful requests):\n%-34s %7s %9s %9s %9s %9s\n", "route", "count", "p50", "p90", "p99", "max")
	routes := make([]string, 0, len(st.routes))
	for r := range st.routes {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	for _, r := range routes {
		l := st.routes[r]
		slices.Sort(l)
		q := func(p float64) time.Duration {
			return l[min(len(l)-1, int(p*float64(len(l))))].Round(10 * time.Microsecond)
		}
		fmt.Printf("%-34s %7d %9v %9v %9v %9v\n", r, len(l), q(0.5), q(0.9), q(0.99), q(1))
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
			time.Sleep(retryPause(rng))
		}
	}
	retry("login", func() error {
		t := time.Now()
		resp, err := c.PostForm(base+"/login", url.Values{"username": {username}, "password": {"load-test-password"}})
		if err != nil {
			return err
		}
		drain(resp)
		st.timed("POST /login (+ GET /)", time.Since(t))
		if !strings.Contains(resp.Request.URL.Path, "/") || resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	if mix {
		browseAndPractise(base, c, rng, st, retry, minThink, maxThink)
	}
	var examID int64
	retry("start exam", func() error {
		t := time.Now()
		resp, err := c.PostForm(base+"/exams", nil)
		if err != nil {
			return err
		}
		drain(resp)
		st.timed("POST /exams (+ GET question 1)", time.Since(t))
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
		retry("question page", func() (err error) {
			page, err = get(c, st, "GET /exams/{id}/q/{pos}", fmt.Sprintf("%s/exams/%d/q/%d", base, examID, pos))
			return err
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
			st.savedAt = append(st.savedAt, time.Now())
			st.routes["POST /exams/{id}/q/{pos}/answer"] = append(st.routes["POST /exams/{id}/q/{pos}/answer"], d)
			st.acks = append(st.acks, ack{exam: examID, pos: int64(pos), picked: joinInts(ints)})
			st.mu.Unlock()
			st.answers.Add(1)
			return nil
		})
	}
	retry("submit", func() error {
		t := time.Now()
		resp, err := c.PostForm(fmt.Sprintf("%s/exams/%d/submit", base, examID), nil)
		if err != nil {
			return err
		}
		drain(resp)
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		st.timed("POST /exams/{id}/submit (+ result)", time.Since(t))
		return nil
	})
	st.finished.Add(1)
	if mix {
		time.Sleep(minThink)
		retry("dashboard", func() error {
			_, err := get(c, st, "GET /", base+"/")
			return err
		})
	}
}

var (
	domainRe     = regexp.MustCompile(`href="(/domains/[^"?#]+)"`)
	assignmentRe = regexp.MustCompile(`href="(/classes/load/assignments/\d+)"`)
	lessonRe     = regexp.MustCompile(`href="(/lessons/[^"?#]+)"`)
	tokenRe      = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// get fetches a page, records its latency under route and returns its body. Redirects are
// followed (and timed with it); anything but a final 200 is an error.
func get(c *http.Client, st *stats, route, u string) (string, error) {
	t := time.Now()
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	st.timed(route, time.Since(t))
	return string(b), nil
}

// browseAndPractise is the part of a learner's session before the exam: the dashboard, the
// class's assignment, a domain, two of its lessons, and three practice questions answered.
func browseAndPractise(base string, c *http.Client, rng *rand.Rand, st *stats, retry func(string, func() error), minThink, maxThink time.Duration) {
	think := func() { time.Sleep(minThink + time.Duration(rng.Int64N(int64(maxThink-minThink)+1))) }
	pick := func(re *regexp.Regexp, page string) string {
		m := re.FindAllStringSubmatch(page, -1)
		if len(m) == 0 {
			return ""
		}
		return m[rng.IntN(len(m))][1]
	}
	var page string
	retry("dashboard", func() (err error) { page, err = get(c, st, "GET /", base+"/"); return err })
	if a := pick(assignmentRe, page); a != "" {
		think()
		retry("assignment page", func() error {
			_, err := get(c, st, "GET /classes/{id}/assignments/{aid}", base+a)
			return err
		})
	} else {
		st.fail("dashboard without the class's assignment")
	}
	dom := pick(domainRe, page)
	if dom == "" {
		st.fail("dashboard without domains")
		return
	}
	think()
	retry("domain page", func() (err error) { page, err = get(c, st, "GET /domains/{id}", base+dom); return err })
	for range 2 {
		lesson := pick(lessonRe, page)
		if lesson == "" {
			st.fail("domain page without lessons")
			break
		}
		think()
		retry("lesson page", func() error { _, err := get(c, st, "GET /lessons/{domain}/{slug}", base+lesson); return err })
	}
	for range 3 {
		think()
		var q string
		var at string
		retry("practice question", func() error {
			t := time.Now()
			resp, err := c.Get(base + "/practice/next")
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			st.timed("GET /practice/next (+ question)", time.Since(t))
			q, at = string(b), resp.Request.URL.Path
			return nil
		})
		opts := optionRe.FindAllStringSubmatch(q, -1)
		tok := tokenRe.FindStringSubmatch(q)
		if len(opts) == 0 || tok == nil {
			st.fail("practice page without options or token")
			continue
		}
		think()
		form := url.Values{"choice": {opts[rng.IntN(len(opts))][1]}, "token": {tok[1]}}
		retry("practice answer", func() error {
			t := time.Now()
			resp, err := c.PostForm(base+at, form)
			if err != nil {
				return err
			}
			drain(resp)
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			st.timed("POST /practice/q/{id} (+ feedback)", time.Since(t))
			return nil
		})
	}
}

// procCPU is the user and system CPU time a process has used, from /proc (0 if unknown).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) start after its ')'.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on Linux's every architecture
// that Go supports.
const clockTicks = 100

// selfCPU is this process's user and system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fetchProfile saves a CPU profile of seconds from the server's profiler.
func fetchProfile(addr, file string, seconds int) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("profiler: status %d", resp.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// answerHistogram reads the server's request-duration histogram of answer saves from /metrics
// and says which share of them took at most each bucket's bound ("" if it cannot).
func answerHistogram(base string) string {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	re := regexp.MustCompile(`kcnaprep_http_request_duration_seconds_bucket\{route="/exams/\{\w+\}/q/\{\w+\}/answer",le="([^"]+)"\} (\d+)`)
	type bucket struct {
		le string
		n  float64
	}
	var bs []bucket
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		le, n := m[1], m[2]
		v, _ := strconv.ParseFloat(n, 64)
		bs = append(bs, bucket{le, v})
	}
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		return ""
	}
	total := bs[len(bs)-1].n
	var parts []string
	for _, x := range bs {
		if x.le == "0.005" || x.le == "0.01" || x.le == "0.025" || x.le == "0.1" {
			parts = append(parts, fmt.Sprintf("%.2f%% within %s s", 100*x.n/total, x.le))
		}
	}
	return fmt.Sprintf("%.0f saves, ", total) + strings.Join(parts, ", ")
}

// rssKiB is a process's resident set size in KiB, from /proc (0 if unknown).
func rssKiB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
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

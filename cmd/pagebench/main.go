// Command pagebench measures the server the way issue 2 asks: cold start to ready with the
// embedded content, resident memory after start, and requests/s and latency percentiles for a
// lesson page under loopback load with wrk, side by side with nginx serving the same HTML saved
// to a file, in the same run. It needs wrk and nginx (Debian: apt-get install wrk nginx-light).
//
//	go run ./cmd/pagebench -lesson /lessons/kubernetes-fundamentals/04-pods
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/serverproc"
)

func main() {
	lesson := flag.String("lesson", "/lessons/kubernetes-fundamentals/04-pods", "page to load")
	duration := flag.String("d", "10s", "wrk duration")
	threads := flag.Int("t", 2, "wrk threads")
	conns := flag.Int("c", 64, "wrk connections")
	starts := flag.Int("starts", 5, "cold starts to time")
	server := flag.String("server", "", "a server binary to measure instead of building ./cmd/server (to compare builds)")
	flag.Parse()
	if err := run(*lesson, *duration, *threads, *conns, *starts, *server); err != nil {
		log.Fatal(err)
	}
}

func run(lesson, duration string, threads, conns, starts int, bin string) error {
	dir, err := os.MkdirTemp("", "pagebench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// nginx's workers run as an unprivileged user: they must be able to read the page.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	if bin == "" {
		if bin, err = serverproc.Build(dir, "-trimpath"); err != nil {
			return err
		}
	}

	// Cold starts: process start to /readyz 200, each on a fresh data dir.
	var colds []time.Duration
	var srv *serverproc.Proc
	var addr string
	for i := range starts {
		if addr, err = serverproc.FreeAddr(); err != nil {
			return err
		}
		data := filepath.Join(dir, fmt.Sprintf("data%d", i))
		p, err := serverproc.Start(bin, addr, []string{"--data-dir", data, "--log-level", "warn", "--lab-backend", "none"}, 2*time.Millisecond, time.Minute)
		if err != nil {
			return err
		}
		colds = append(colds, p.Ready)
		if i < starts-1 {
			_ = p.Stop(os.Interrupt)
		} else {
			srv = p
		}
	}
	defer func() { _ = srv.Stop(os.Interrupt) }()
	time.Sleep(500 * time.Millisecond)
	rssStart := rss(srv.Pid())

	// Save the lesson page for nginx.
	resp, err := http.Get("http://" + addr + lesson)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", lesson, resp.StatusCode)
	}
	www := filepath.Join(dir, "www")
	os.MkdirAll(www, 0o755)
	if err := os.WriteFile(filepath.Join(www, "lesson.html"), page, 0o644); err != nil {
		return err
	}
	nginxAddr, err := serverproc.FreeAddr()
	if err != nil {
		return err
	}
	conf := fmt.Sprintf(`daemon off;
worker_processes 2;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp; uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
  server { listen %[2]s; root %[3]s; location / { default_type text/html; } }
}
`, dir, nginxAddr, www)
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
	confPath := filepath.Join(dir, "nginx.conf")
	os.WriteFile(confPath, []byte(conf), 0o644)
	ng := exec.Command("nginx", "-c", confPath, "-p", dir)
	ng.Stderr = os.Stderr
	if err := ng.Start(); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	defer func() { _ = ng.Process.Signal(os.Interrupt); _ = ng.Wait() }()
	ready := false
	for range 100 {
		if r, err := http.Get("http://" + nginxAddr + "/lesson.html"); err == nil {
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode == 200 && len(b) == len(page) {
				ready = true
				break
			}
			return fmt.Errorf("nginx answers %d with %d bytes, not the %d-byte page", r.StatusCode, len(b), len(page))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !ready {
		return fmt.Errorf("nginx did not start")
	}

	app := wrk("http://"+addr+lesson, duration, threads, conns)
	rssLoad := rss(srv.Pid())
	ngx := wrk("http://"+nginxAddr+"/lesson.html", duration, threads, conns)

	fmt.Printf("\npage %s: %d bytes\n", lesson, len(page))
	fmt.Printf("cold start to ready (%d runs): %v\n", len(colds), colds)
	fmt.Printf("RSS after start: %s\nRSS after load:  %s\n", rssStart, rssLoad)
	fmt.Printf("%-8s %12s %10s %10s %10s\n", "", "requests/s", "p50", "p99", "errors")
	fmt.Printf("%-8s %12.0f %10s %10s %10d\n", "kcnaprep", app.rps, app.p50, app.p99, app.errors)
	fmt.Printf("%-8s %12.0f %10s %10s %10d\n", "nginx", ngx.rps, ngx.p50, ngx.p99, ngx.errors)
	fmt.Printf("ratio kcnaprep/nginx: %.2f of the requests/s\n", app.rps/ngx.rps)
	return nil
}

type wrkResult struct {
	rps      float64
	p50, p99 string
	errors   int
}

var (
	rpsRe  = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	pRe    = regexp.MustCompile(`(?m)^\s+(50|99)%\s+(\S+)`)
	errRe  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	sockRe = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func wrk(url, d string, t, c int) wrkResult {
	out, err := exec.Command("wrk", "-t"+strconv.Itoa(t), "-c"+strconv.Itoa(c), "-d"+d, "--latency", url).CombinedOutput()
	if err != nil {
		log.Fatalf("wrk: %v\n%s", err, out)
	}
	s := string(out)
	var r wrkResult
	if m := rpsRe.FindStringSubmatch(s); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	for _, m := range pRe.FindAllStringSubmatch(s, -1) {
		if m[1] == "50" {
			r.p50 = m[2]
		} else {
			r.p99 = m[2]
		}
	}
	if m := errRe.FindStringSubmatch(s); m != nil {
		r.errors, _ = strconv.Atoi(m[1])
	}
	if m := sockRe.FindStringSubmatch(s); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.Atoi(g)
			r.errors += n
		}
	}
	return r
}

// memory is a process's resident memory in MiB from /proc: the whole resident set, and its
// anonymous part (heap, stacks). The rest is file-backed: pages of the binary itself, including
// the embedded content, which the kernel shares and can reclaim.
type memory struct{ rss, anon float64 }

func (m memory) String() string {
	return fmt.Sprintf("%.1f MiB (anonymous %.1f MiB, file-backed %.1f MiB)", m.rss, m.anon, m.rss-m.anon)
}

func rss(pid int) memory {
	var m memory
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.Atoi(fields[1])
		switch fields[0] {
		case "VmRSS:":
			m.rss = float64(kb) / 1024
		case "RssAnon:":
			m.anon = float64(kb) / 1024
		}
	}
	return m
}

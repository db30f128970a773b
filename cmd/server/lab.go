package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/app"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
)

const labUsage = `usage: server lab COMMAND [ID] [flags]

  list          the labs, with the state of yours
  start ID      start a lab; prints the export KUBECONFIG=... line when it is ready
  check ID      grade the lab; exit 0 only when every check passes
  reset ID      put the lab back to its set-up state
  stop ID       finish the lab and delete its environment
  pool          the environments prepared in advance (the warm pool)
  pool warm N   prepare environments until N are ready (e.g. before a class), and wait for them;
                the server keeps and hands them out (it refills to --lab-pool, never discards)
  pool warm N --at TIME
                have N ready at TIME (09:00 = the next 9:00 here, or 2026-03-02T09:00, or
                RFC 3339): the running server starts preparing early enough; running it again
                for the same time changes N (a class page does the same for its class)
  exec ID -- CMD [ARG...]
                run CMD in your toolbox of the lab (the shell the lab page's terminal opens:
                kubectl as you, in your namespace), with this command's stdin; exits with
                CMD's status
  images push REGISTRY [--insecure]
                push the lab image and the toolbox image to REGISTRY (host[:port][/path]) for
                an existing cluster whose nodes mirror kcnaprep.local to it (README, "Labs on
                an existing cluster"); credentials from ~/.docker/config.json; --insecure
                allows plain HTTP or an unverified certificate

flags:
  --user NAME   the learner whose labs these are (env KCNAPREP_LAB_USER). Needed once the
                server has accounts; without accounts the commands act as the single learner.
  --data-dir, --lab-backend, ...   as for the server (server serve -h); the database must exist.

The lab commands share the server's database (--data-dir) and flags (server serve -h).
`

// runLab is "server lab ...": the lab engine from the command line, as the local learner.
func runLab(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, labUsage)
		return exitError{"missing lab command"}
	}
	sub, args := args[0], args[1:]
	var argv []string // exec: the command after "--"
	if i := slices.Index(args, "--"); i >= 0 && sub == "exec" {
		args, argv = args[:i], args[i+1:]
	}
	insecure := false
	if sub == "images" {
		insecure, args = cutBool(args, "insecure")
	}
	username, args := cutFlag(args, "user", getenv("KCNAPREP_LAB_USER"))
	at, args := cutFlag(args, "at", "")
	id := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	f, fs, err := parseFlags("lab "+sub, args, getenv, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if f.logLevel == "debug" {
		level = slog.LevelDebug
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	}
	if sub == "pool" {
		return runLabPool(ctx, id, fs.Args(), at, f.cfg, stdout, stderr, level)
	}
	if sub == "images" {
		return runLabImages(ctx, id, fs.Args(), insecure, f.cfg, stdout, stderr, level)
	}
	if sub != "list" && id == "" {
		fmt.Fprint(stderr, labUsage)
		return exitError{"missing lab id"}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	// Start may begin a new database, as `user add` may: a learner's first command on a fresh
	// machine is often `lab start`. The others read state, so a mistyped --data-dir is an error
	// for them, not a new empty database.
	f.cfg.ExistingData = sub != "start"
	a, err := app.OpenServices(ctx, f.cfg, logger)
	if _, ok := printProblems(stderr, err, ""); ok {
		return exitError{"invalid content"}
	}
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Labs == nil && sub != "list" {
		return fmt.Errorf("labs are disabled (--lab-backend none)")
	}
	uid, err := labUser(ctx, a, username)
	if err != nil {
		return err
	}
	c := labCLI{a: a, uid: uid, stdin: stdin, stdout: stdout, stderr: stderr}
	switch sub {
	case "list":
		err = c.list(ctx)
	case "start":
		err = c.start(ctx, id)
	case "check":
		err = c.check(ctx, id)
	case "reset":
		err = c.job(ctx, id, "reset")
	case "stop":
		err = c.job(ctx, id, "stop")
	case "exec":
		err = c.exec(ctx, id, argv)
	default:
		fmt.Fprintf(stderr, "unknown lab command %q\n\n%s", sub, labUsage)
		return exitError{"unknown lab command"}
	}
	var de *domain.Error
	if errors.As(err, &de) { // the learner's mistake (unknown lab, not started): say it plainly
		fmt.Fprintln(stderr, de.Message)
		return exitError{de.Message}
	}
	return err
}

// cutFlag removes "--name VALUE" or "--name=VALUE" from args and returns its value (or def).
func cutFlag(args []string, name, def string) (string, []string) {
	var rest []string
	val := def
	for i := 0; i < len(args); i++ {
		a := strings.TrimPrefix(strings.TrimPrefix(args[i], "-"), "-")
		switch {
		case a == name && i+1 < len(args) && args[i] != a:
			val = args[i+1]
			i++
		case strings.HasPrefix(a, name+"=") && args[i] != a:
			val = strings.TrimPrefix(a, name+"=")
		default:
			rest = append(rest, args[i])
		}
	}
	return val, rest
}

// cutBool removes "--name" (or "--name=true|false") from args and returns whether it was set.
func cutBool(args []string, name string) (bool, []string) {
	var rest []string
	val := false
	for _, a := range args {
		switch bare := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"); {
		case bare == a: // not a flag
			rest = append(rest, a)
		case bare == name || bare == name+"=true":
			val = true
		case bare == name+"=false":
			val = false
		default:
			rest = append(rest, a)
		}
	}
	return val, rest
}

// labUser is the learner the lab commands act for: the single-learner profile, or the account
// named with --user.
func labUser(ctx context.Context, a *app.App, username string) (int64, error) {
	if username == "" {
		if a.Local == nil {
			return 0, fmt.Errorf("this server has accounts: say which learner with --user NAME")
		}
		return a.Local.ID, nil
	}
	users, err := a.DB.Users(ctx)
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		if strings.EqualFold(u.Username, username) {
			return u.ID, nil
		}
	}
	return 0, fmt.Errorf("no user %q", username)
}

type labCLI struct {
	a      *app.App
	uid    int64
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exec runs argv in the learner's toolbox; a non-zero exit of argv is this command's status.
func (c labCLI) exec(ctx context.Context, id string, argv []string) error {
	if len(argv) == 0 {
		fmt.Fprint(c.stderr, labUsage)
		return exitError{"missing command: server lab exec ID -- CMD [ARG...]"}
	}
	err := c.a.Labs.Exec(ctx, c.uid, id, argv, toolbox.Streams{Stdin: c.stdin, Stdout: c.stdout, Stderr: c.stderr})
	var ee *toolbox.ExitError
	if errors.As(err, &ee) {
		return exitStatus{ee.Status}
	}
	return err
}

func (c labCLI) list(ctx context.Context) error {
	state := map[string]string{}
	if c.a.Labs != nil {
		active, err := c.a.Labs.Sessions(ctx, c.uid)
		if err != nil {
			return err
		}
		for _, s := range active {
			state[s.LabID] = string(s.State)
		}
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDOMAIN\tSCOPE\tMIN\tSTATE\tTITLE")
	for _, l := range c.a.Catalog.Labs {
		st := state[l.ID]
		if st == "" {
			st = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", l.ID, l.Domain.ID, l.Scope, l.Minutes, st, l.Title)
	}
	return tw.Flush()
}

// follow waits for the lab's job, printing each step as it starts.
func (c labCLI) follow(ctx context.Context, id string) (*domain.LabSession, error) {
	printed := 0
	return c.a.Labs.Wait(ctx, c.uid, id, func(s *domain.LabSession) {
		for ; printed < len(s.Steps); printed++ {
			st := s.Steps[printed]
			fmt.Fprintf(c.stderr, "%6.1fs  %s\n", st.StartedAt.Sub(s.Steps[0].StartedAt).Seconds(), st.Name)
		}
	})
}

func (c labCLI) start(ctx context.Context, id string) error {
	t0 := time.Now()
	if _, err := c.a.Labs.Start(ctx, c.uid, id); err != nil {
		return err
	}
	s, err := c.follow(ctx, id)
	if err != nil {
		return err
	}
	if s.State != domain.LabReady {
		return fmt.Errorf("lab %s %s: %s", id, s.State, s.Error)
	}
	fmt.Fprintf(c.stderr, "lab %s ready in %.1fs (namespace %s); point kubectl at it with:\n", id, time.Since(t0).Seconds(), s.Namespace)
	fmt.Fprintf(c.stdout, "export KUBECONFIG=%s\n", s.Kubeconfig)
	return nil
}

func (c labCLI) check(ctx context.Context, id string) error {
	rep, err := c.a.Labs.Check(ctx, c.uid, id)
	if err != nil {
		return err
	}
	for _, t := range rep.Tasks {
		fmt.Fprintf(c.stdout, "%s\n", t.Title)
		for _, ch := range t.Checks {
			mark := "PASS"
			if !ch.Passed {
				mark = "FAIL"
			}
			fmt.Fprintf(c.stdout, "  %s  %s/%s: %s\n", mark, t.ID, ch.ID, ch.Message)
			if !ch.Passed && ch.Detail != "" {
				fmt.Fprintf(c.stdout, "        %s\n", ch.Detail)
			}
		}
	}
	p, total := rep.Counts()
	fmt.Fprintf(c.stdout, "%d of %d checks pass (%.1fs)\n", p, total, rep.Took.Seconds())
	if !rep.AllPassed() {
		return exitError{"checks failed"}
	}
	return nil
}

func (c labCLI) job(ctx context.Context, id, job string) error {
	var err error
	if job == "reset" {
		_, err = c.a.Labs.Reset(ctx, c.uid, id)
	} else {
		_, err = c.a.Labs.Stop(ctx, c.uid, id)
	}
	if err != nil {
		return err
	}
	s, err := c.follow(ctx, id)
	if err != nil {
		return err
	}
	want := domain.LabReady
	if job == "stop" {
		want = domain.LabEnded
	}
	if s.State != want {
		return fmt.Errorf("lab %s %s: %s", id, s.State, s.Error)
	}
	fmt.Fprintf(c.stderr, "lab %s %s\n", id, map[string]string{"reset": "is back to its set-up state", "stop": "finished; its environment is deleted"}[job])
	return nil
}

// runLabPool is "server lab pool [warm N]": the warm pool from the command line (an instructor
// preparing a class's environments ahead of time).
func runLabPool(ctx context.Context, cmd string, args []string, atText string, cfg app.Config, stdout, stderr io.Writer, level slog.Level) error {
	n := 0
	var at time.Time
	if atText != "" {
		var err error
		if at, err = parseWhen(atText, time.Now()); err != nil || cmd != "warm" {
			msg := fmt.Sprintf("lab pool warm N --at %q: give a time like 09:00 or 2026-03-02T09:00", atText)
			if cmd != "warm" {
				msg = "--at goes with lab pool warm N"
			}
			fmt.Fprintln(stderr, msg)
			return exitError{msg}
		}
	}
	switch {
	case cmd == "" || cmd == "status":
	case cmd == "warm" && len(args) == 1:
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 1 {
			msg := fmt.Sprintf("lab pool warm %q: give the number of environments, e.g. lab pool warm 5", args[0])
			fmt.Fprintln(stderr, msg)
			return exitError{msg}
		}
		n = v
	default:
		fmt.Fprintf(stderr, "usage: lab pool [warm N]\n\n%s", labUsage)
		return exitError{"usage: lab pool [warm N]"}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(level, slog.LevelInfo)}))
	cfg.ExistingData = false
	cfg.LabPool = 0 // this process prepares what it is told, no more
	a, err := app.OpenServices(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Labs == nil {
		return fmt.Errorf("labs are disabled (--lab-backend none)")
	}
	if n > 0 && !at.IsZero() {
		w, err := a.Labs.ScheduleWarm(ctx, "", 0, n, at)
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				fmt.Fprintln(stderr, de.Message)
				return exitError{de.Message}
			}
			return err
		}
		fmt.Fprintf(stderr, "%d environments will be ready at %s; the running server starts preparing them at about %s\n",
			w.Count, w.ReadyAt.Local().Format("2006-01-02 15:04 MST"), w.ReadyAt.Add(-a.Labs.WarmLead(w.Count)).Local().Format("15:04"))
		n = 0
	}
	if n > 0 {
		t0 := time.Now()
		if err := a.Labs.WarmPool(ctx, n); err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				fmt.Fprintln(stderr, de.Message)
				return exitError{de.Message}
			}
			return err
		}
		fmt.Fprintf(stderr, "%d environments ready or being prepared (%.1fs)\n", n, time.Since(t0).Seconds())
	}
	envs, err := a.Labs.PoolStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tNAMESPACE\tSTATE\tSINCE")
	for _, e := range envs {
		ns := e.Namespace
		if ns == "" {
			ns = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Cluster, ns, e.State, e.UpdatedAt.Format(time.RFC3339))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ws, err := a.Labs.WarmSchedules(ctx, "")
	if err != nil || len(ws) == 0 {
		return err
	}
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "READY AT\tENVIRONMENTS\tSTATE\tNOTE")
	for _, w := range ws {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", w.ReadyAt.Local().Format(time.RFC3339), w.Count, w.State, w.Error)
	}
	return tw.Flush()
}

// runLabImages is "server lab images push REGISTRY": the lab and toolbox images, built here in
// Go as for kind nodes, pushed to a registry a classroom cluster's nodes pull from.
func runLabImages(ctx context.Context, cmd string, args []string, insecure bool, cfg app.Config, stdout, stderr io.Writer, level slog.Level) error {
	if cmd != "push" || len(args) != 1 {
		fmt.Fprintf(stderr, "usage: lab images push REGISTRY [--insecure]\n\n%s", labUsage)
		return exitError{"usage: lab images push REGISTRY [--insecure]"}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	images, err := app.LabImages(ctx, cfg, logger)
	if err != nil {
		return err
	}
	pushed, err := labimage.Push(ctx, args[0], images, labimage.PushOptions{Insecure: insecure})
	for _, p := range pushed {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", p.Source, p.Target, p.Digest)
	}
	return err
}

// parseWhen reads a time of day (the next one here: 09:00), a local date and time
// (2026-03-02T09:00 or 2026-03-02 09:00) or RFC 3339.
func parseWhen(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, now.Location()); err == nil {
			return t, nil
		}
	}
	clock, err := time.Parse("15:04", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: use 09:00, 2026-03-02T09:00 or RFC 3339", v)
	}
	t := time.Date(now.Year(), now.Month(), now.Day(), clock.Hour(), clock.Minute(), 0, 0, now.Location())
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// Command server is kcnaprep: the web app (the default command) and its tools for content,
// question banks and labs. Run "server help" for the list.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var es exitStatus
		if errors.As(err, &es) { // "lab exec": the command's own status
			os.Exit(es.status)
		}
		var ee exitError
		if !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

// exitError ends the program with status 1 after the command already printed why.
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

// exitStatus ends the program with a given status (what "lab exec" ran exited with).
type exitStatus struct{ status int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.status) }

// run dispatches to a subcommand. It has no globals: everything comes from its arguments.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "content":
		return runContent(ctx, args, getenv, stdout, stderr)
	case "quiz":
		return runQuiz(ctx, args, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, args, getenv, os.Stdin, stdout, stderr)
	case "class":
		return runClass(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout, stderr)
	case "lab":
		return runLab(ctx, args, getenv, os.Stdin, stdout, stderr)
	case "backup", "restore":
		return runBackup(ctx, cmd, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "kcnaprep", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return exitError{"unknown command"}
	}
}

const usage = `kcnaprep: study, practise and do hands-on labs for the CNCF KCNA exam.

Usage:
  server [serve] [flags]           run the web app (default)
  server content check [DIR]       validate content (embedded, or DIR laid out like the repo)
  server content stats [DIR]       count questions by domain, competency, type, difficulty
  server content export DIR        write the embedded content to DIR, to edit and serve with --content-dir
  server quiz export --format gift [--out FILE]      export the question bank to Moodle GIFT
  server quiz import FILE.gift [--into DIR]          add GIFT questions to a content dir
  server user add NAME [--role R] [--name "Full Name"]   create an account (password on stdin)
  server user passwd NAME | list | disable NAME | enable NAME | delete NAME | role NAME ROLE
                                   manage accounts ("server user" for details)
  server class create ID --title T --instructor USERNAME [--section S]...   create a class
  server class import ID ROSTER.csv [--format text|csv]   add a roster (username,name,email,section);
                                   prints one set-password link per new account ("server class" for all)
  server migrate [flags]           apply database migrations and exit
  server backup FILE [--force]     write a consistent copy of the database to FILE (while the server runs)
  server restore FILE              replace the database with a backup (server stopped; the old one is kept as .bak)
  server lab list|start|check|reset|stop [ID] [--user NAME] [flags]
  server lab exec ID [--user NAME] -- CMD [ARG...]   run CMD in your lab toolbox (kubectl as you)
                                   hands-on labs from the terminal (start prints export KUBECONFIG=...);
                                   --user NAME says whose labs once accounts exist
  server class stats ID|ALL --format csv|json   item analysis of a class's exam attempts
  server class questions import ID FILE.gift | export ID   a class's own questions as GIFT
  server class assign ID --kind exam|practice|lessons|lab [--ref REF] [--title T] [--section S] [--opens TIME] --due TIME
  server class grades ID --format csv|json
                                   the classroom ("server class" for details)
  server version                   print the version

Run "server serve -h" for the server's flags and their environment variables.
`

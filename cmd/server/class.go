package main

import (
	"context"
	"fmt"
	"io"
)

const classUsage = `usage: server class COMMAND [flags]

` + classItemsUsage + `
Every command needs an existing database (--data-dir, env KCNAPREP_DATA_DIR) and acts as the
server's administrator.
`

// runClass dispatches the classroom's commands. Each part of the classroom adds its commands
// here, one case each.
func runClass(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, classUsage)
		return exitError{"missing subcommand"}
	}
	switch args[0] {
	case "stats":
		return runClassStats(ctx, args[1:], getenv, stdout, stderr)
	case "questions":
		return runClassQuestions(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, classUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown class command %q\n\n%s", args[0], classUsage)
		return exitError{"unknown subcommand"}
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

const classUsage = `usage: server class COMMAND ID [flags]

  assign ID --kind exam|practice|lessons|lab [--ref REF] [--title T] [--section S] [--opens TIME] --due TIME
            [--count N] [--minutes M] [--attempts N] [--grading highest|last|first]
            [--review immediately|after_due|never] [--tz ZONE]
                        give the class (or one section) work: REF is a lab id (lab), lesson,
                        domain or competency ids (lessons), question ids or domains/competencies
                        to draw --count questions from (practice). TIME is 2026-03-02T14:00 in
                        --tz (default UTC), an RFC 3339 time, or a date (its end, 23:59)
  grades ID --format csv|json
                        the gradebook: username, name, section, then one column per assignment

Every command needs an existing database (--data-dir, env KCNAPREP_DATA_DIR). Commands act as
the server's operator: they see every class.
`

// classCommands are the class subcommands; each part of the classroom adds its own.
var classCommands = map[string]func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error{}

// runClass runs a classroom command.
func runClass(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, classUsage)
		return exitError{"missing subcommand"}
	}
	cmd, ok := classCommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "unknown class command %q\n\n%s", args[0], classUsage)
		return exitError{"unknown subcommand"}
	}
	return cmd(ctx, args[1:], getenv, stdout, stderr)
}

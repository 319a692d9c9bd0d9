// Package cli implements the cityimpact command line: one subcommand per
// job, each parsing its flags and calling the domain packages. Run is the
// whole program, so tests call it directly with their own writers.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitUser     = 1 // bad input, bad flags, data errors
	ExitInternal = 2 // a bug or an environment failure
)

// Env is what a command gets: its output streams and global options.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
	Quiet  bool
}

// IsTerminal reports whether w is a terminal (for progress output).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Progressf prints a progress line on stderr only when stderr is a terminal
// and --quiet is off.
func (e *Env) Progressf(format string, args ...any) {
	if e.Quiet || !IsTerminal(e.Stderr) {
		return
	}
	fmt.Fprintf(e.Stderr, "\r"+format, args...)
}

// Logf prints an informational line on stderr unless --quiet.
func (e *Env) Logf(format string, args ...any) {
	if e.Quiet {
		return
	}
	fmt.Fprintf(e.Stderr, format+"\n", args...)
}

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	name    string
	summary string
	run     func(env *Env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cli: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// UserError marks an error caused by the user's input or flags: exit 1.
type UserError struct{ Err error }

func (e *UserError) Error() string { return e.Err.Error() }
func (e *UserError) Unwrap() error { return e.Err }

// userErrorf returns a UserError.
func userErrorf(format string, args ...any) error {
	return &UserError{fmt.Errorf(format, args...)}
}

// errHelp is returned when --help was asked for: exit 0.
var errHelp = flag.ErrHelp

// newFlags returns a flag set for a subcommand whose usage text prints the
// summary, the usage line, an example and the flags.
func newFlags(env *Env, name, usage, example string) *flag.FlagSet {
	fs := flag.NewFlagSet("cityimpact "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: cityimpact %s\n", usage)
		if c := commands[strings.Fields(name)[0]]; c != nil {
			fmt.Fprintf(w, "\n%s\n", c.summary)
		}
		if example != "" {
			fmt.Fprintf(w, "\nExample:\n  %s\n", example)
		}
		fmt.Fprintf(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses fs from args, where flags may come before, between or
// after the positional arguments (which it returns; "--" ends the flags).
// --help prints the usage and returns errHelp (exit 0); a bad flag is one
// user-error line naming the flag, without the whole usage text.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(out)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				fs.Usage()
				return nil, errHelp
			}
			return nil, userErrorf("%v (see --help)", err)
		}
		consumed := len(args) - fs.NArg()
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, fs.Args()...), nil
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// Run runs the cityimpact command line with args (without the program name)
// and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}
	var rest []string
	for i, a := range args {
		if a == "--quiet" || a == "-quiet" || a == "-q" {
			env.Quiet = true
			continue
		}
		rest = append(rest, args[i])
	}
	args = rest
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return exitCode(env, c.name, c.run(env, []string{"--help"}))
			}
		}
		usage(stdout)
		if len(args) == 0 {
			return ExitUser
		}
		return ExitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "cityimpact", Version)
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cityimpact: unknown command %q (run 'cityimpact help')\n", args[0])
		return ExitUser
	}
	return exitCode(env, c.name, c.run(env, args[1:]))
}

// Version is the program version, set at build time with -ldflags.
var Version = "0.1.0-dev"

func exitCode(env *Env, name string, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return ExitOK
	}
	var ue *UserError
	if errors.As(err, &ue) || isUserError(err) {
		for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
			fmt.Fprintf(env.Stderr, "cityimpact %s: %s\n", name, line)
		}
		return ExitUser
	}
	fmt.Fprintf(env.Stderr, "cityimpact %s: internal error: %v\n", name, err)
	return ExitInternal
}

// userErrorKinds lets domain packages' error types count as user errors
// without cli knowing them all: any error with a UserFacing() bool method
// returning true is one.
func isUserError(err error) bool {
	var uf interface{ UserFacing() bool }
	return errors.As(err, &uf) && uf.UserFacing()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "cityimpact evaluates how public policy programmes change cities.")
	fmt.Fprintln(w, "\nUsage: cityimpact <command> [flags]   (cityimpact <command> --help for details)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nGlobal flags: --quiet (no progress or informational output)")
}

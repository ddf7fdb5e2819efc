// Command ferry is Ferry's desktop app and its headless CLI. With no command it opens the window;
// each subcommand lives in its own cmd_*.go file and registers itself in the commands table.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	_ "github.com/ferry-migrate/ferry/internal/locale"     // before Fyne reads the locale
	_ "github.com/ferry-migrate/ferry/internal/winconsole" // ferry.exe prints in cmd and PowerShell
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferry-migrate/ferry/app/settings"
)

// command is one CLI subcommand. Setup declares its flags on fs and returns the function that runs
// it with the positional arguments; that function returns a usageError for a wrong call.
type command struct {
	Name    string
	Args    string // positional arguments, for the usage line: "FILE.ferry SRC…"
	Summary string
	Setup   func(fs *flag.FlagSet) func(ctx context.Context, args []string, out io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.Name] = c }

// usageError makes the command print its usage and exit 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code (0 ok, 1 failed, 2 wrong call).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return startGUI("", false, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(stdout)
		return 0
	case "-version", "--version", "version":
		fmt.Fprintln(stdout, "ferry", version())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ferry: unknown command %q\n\n", args[0])
		printHelp(stderr)
		return 2
	}
	fs := flag.NewFlagSet("ferry "+c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runner := c.Setup(fs)
	pos, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, c, fs)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ferry %s: %v\n\n", c.Name, err)
		printUsage(stderr, c, fs)
		return 2
	}
	if err := runner(ctx, pos, stdout); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "ferry %s: %v\n\n", c.Name, err)
			printUsage(stderr, c, fs)
			return 2
		}
		fmt.Fprintf(stderr, "ferry %s: %s\n", c.Name, explain(err))
		return 1
	}
	return 0
}

// parseInterspersed lets flags come after positional arguments, as consultants type them:
// ferry import demo.ferry patients.csv --table patients.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Ferry moves a practice's data from its old system to its new one without losing a record.")
	fmt.Fprintln(w, "\nUsage:\n  ferry                      open the Ferry window\n  ferry COMMAND [flags] ARGS")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nRun 'ferry COMMAND --help' for a command's flags.")
}

func printUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: ferry %s [flags] %s\n\n%s\n", c.Name, c.Args, c.Summary)
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// needArgs checks the count of positional arguments.
func needArgs(args []string, min, max int, what string) error {
	if len(args) < min || (max >= 0 && len(args) > max) {
		return usageError("expected " + what)
	}
	return nil
}

// explain turns an error into one line a person can act on.
func explain(err error) string {
	msg := err.Error()
	if hint := hintFor(err); hint != "" {
		return msg + "\n  " + hint
	}
	return strings.TrimSpace(msg)
}

// actorName is the name the custody log records: the --user flag, else the name in the settings.
func actorName(flag string) string {
	if flag != "" {
		return flag
	}
	return settings.Load().UserName
}

// resultsFile checks a --results flag: "" or a file ending in .csv or .xlsx.
func resultsFile(path string) error {
	if ext := strings.ToLower(filepath.Ext(path)); path != "" && ext != ".csv" && ext != ".xlsx" {
		return usageError("--results: name a .csv or .xlsx file")
	}
	return nil
}

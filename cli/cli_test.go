package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs the command line with args and returns the exit code, stdout
// and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunUsageAndExitCodes(t *testing.T) {
	if code, out, _ := runCLI(t, "help"); code != ExitOK || !strings.Contains(out, "Commands:") || !strings.Contains(out, "demo") {
		t.Errorf("help: exit %d, output %q", code, out)
	}
	if code, _, errs := runCLI(t, "nosuch"); code != ExitUser || !strings.Contains(errs, `unknown command "nosuch"`) {
		t.Errorf("unknown command: exit %d, stderr %q", code, errs)
	}
	// A bad flag is one line, not the whole usage.
	code, _, errs := runCLI(t, "gen", "--nosuch")
	if code != ExitUser || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "-nosuch") {
		t.Errorf("bad flag: exit %d, stderr %q; want one line naming the flag", code, errs)
	}
	// --help prints the usage with an example and exits 0.
	code, _, errs = runCLI(t, "gen", "--help")
	if code != ExitOK || !strings.Contains(errs, "Example:") {
		t.Errorf("gen --help: exit %d, stderr %q", code, errs)
	}
	for name := range commands {
		code, out, errs := runCLI(t, name, "--help")
		if code != ExitOK || !strings.Contains(out+errs, "Example:") {
			t.Errorf("%s --help: exit %d; want 0 and an example", name, code)
		}
	}
}

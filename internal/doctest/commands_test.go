package doctest

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// helpFlagRE matches a flag line of Go's flag package usage ("  -name type").
var helpFlagRE = regexp.MustCompile(`(?m)^\s+-([A-Za-z0-9][A-Za-z0-9-]*)`)

// commandRE matches a command line of zagg's usage ("  demo      run ...").
var commandRE = regexp.MustCompile(`(?m)^  ([a-z]+) {2,}\S`)

// tool is a built command and the flags of each of its subcommands.
type tool struct {
	bin   string
	flags map[string]map[string]bool // subcommand → flag names
}

// help runs the tool's subcommand with -h and returns its flag names.
func (tl *tool) help(t *testing.T, sub string) map[string]bool {
	t.Helper()
	if f, ok := tl.flags[sub]; ok {
		return f
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, _ := exec.CommandContext(ctx, tl.bin, sub, "-h").CombinedOutput() // -h exits non-zero
	f := map[string]bool{"h": true, "help": true}
	for _, m := range helpFlagRE.FindAllStringSubmatch(string(out), -1) {
		f[m[1]] = true
	}
	if len(f) == 2 {
		f = nil // not a subcommand: its -h printed no flags
	}
	tl.flags[sub] = f
	return f
}

func build(t *testing.T, r, pkg, name string) *tool {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir = r
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return &tool{bin: bin, flags: map[string]map[string]bool{}}
}

// TestCommandFlags checks every command line of the guide that is not run
// (those needing AWS or an Earthdata login too): its subcommand exists and
// every flag it passes is one the subcommand's -h lists.
func TestCommandFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the commands; not in -short")
	}
	r := root(t)
	local := build(t, r, "./examples/local", "zagg")
	lambda := build(t, r, "./examples/lambda", "zagg-lambda")
	out, _ := exec.Command(local.bin).CombinedOutput()
	subs := map[string]bool{}
	for _, m := range commandRE.FindAllStringSubmatch(string(out), -1) {
		subs[m[1]] = true
	}
	if !subs["demo"] || !subs["run"] {
		t.Fatalf("could not read the commands from zagg's usage:\n%s", out)
	}
	checked := 0
	for _, rel := range pages(t, r) {
		for _, c := range parsePage(t, r, rel).Commands {
			words := strings.Fields(c.Text)
			tl, rest := local, words[1:]
			switch {
			case words[0] == "zagg":
			case len(words) > 2 && words[2] == "./examples/local":
				rest = words[3:]
			case len(words) > 2 && words[2] == "./examples/lambda":
				tl, rest = lambda, words[3:]
			default:
				continue // another program (examples/embed, bench/...)
			}
			if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
				continue // the bare tool, or its -h
			}
			sub := rest[0]
			if tl == local && !subs[sub] {
				t.Errorf("%s:%d: %q: zagg has no command %q", rel, c.Line, c.Text, sub)
				continue
			}
			known := tl.help(t, sub)
			if known == nil {
				t.Errorf("%s:%d: %q: %q lists no flags with -h", rel, c.Line, c.Text, sub)
				continue
			}
			checked++
			for _, w := range rest[1:] {
				if strings.ContainsAny(w[:1], "|;&>#<") || w == "||" {
					break // the rest is shell
				}
				if !strings.HasPrefix(w, "-") || w == "-" || (len(w) > 1 && w[1] >= '0' && w[1] <= '9') {
					continue // a value (a negative number: a catalog key)
				}
				name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
				if !known[name] {
					t.Errorf("%s:%d: %q: %s has no flag -%s", rel, c.Line, c.Text, sub, name)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d command lines found in the guide: the parser is broken", checked)
	}
	t.Logf("%d command lines checked", checked)
}

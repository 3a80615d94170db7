package doctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// root returns the module root (two levels up from this package).
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s", r)
	}
	return r
}

// pages returns the guide's pages, relative to the root: README.md,
// CHANGELOG.md and docs/*.md.
func pages(t *testing.T, r string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(r, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md", "CHANGELOG.md"}
	for _, d := range docs {
		out = append(out, filepath.Join("docs", filepath.Base(d)))
	}
	sort.Strings(out[2:])
	return out
}

func parsePage(t *testing.T, r, rel string) *Page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r, rel))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(string(b))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return p
}

// TestLinks fails on a relative link whose file or folder does not exist, or
// whose #anchor is not a heading (or explicit anchor) of the target page.
func TestLinks(t *testing.T) {
	r := root(t)
	parsed := map[string]*Page{}
	get := func(rel string) *Page {
		if p, ok := parsed[rel]; ok {
			return p
		}
		p := parsePage(t, r, rel)
		parsed[rel] = p
		return p
	}
	checked := 0
	for _, rel := range pages(t, r) {
		for _, l := range get(rel).Links {
			u, err := url.Parse(l.Target)
			if err != nil {
				t.Errorf("%s:%d: link %q: %v", rel, l.Line, l.Target, err)
				continue
			}
			if u.Scheme != "" || strings.HasPrefix(l.Target, "//") {
				continue // http(s), mailto: not checked (no network)
			}
			checked++
			target := rel
			if u.Path != "" {
				target = filepath.Join(filepath.Dir(rel), filepath.FromSlash(u.Path))
				if strings.HasPrefix(target, "..") {
					t.Errorf("%s:%d: link %q leaves the repository", rel, l.Line, l.Target)
					continue
				}
				if _, err := os.Stat(filepath.Join(r, target)); err != nil {
					t.Errorf("%s:%d: dead link %q: %s does not exist", rel, l.Line, l.Target, target)
					continue
				}
			}
			if u.Fragment == "" {
				continue
			}
			if !strings.HasSuffix(target, ".md") {
				if !strings.HasPrefix(u.Fragment, "L") { // line links into source files
					t.Errorf("%s:%d: anchor %q on a file that is not Markdown", rel, l.Line, l.Target)
				}
				continue
			}
			if !get(target).Anchors[u.Fragment] {
				t.Errorf("%s:%d: dead anchor %q: %s has no heading with slug %q", rel, l.Line, l.Target, target, u.Fragment)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no relative link found: the page list or the parser is broken")
	}
	t.Logf("%d relative links checked in %d pages", checked, len(parsed))
}

// TestSlug pins GitHub's anchor rules on headings this guide uses.
func TestSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Two commands", "two-commands"},
		{"Differences from zagg 0.1.0 (deliberate)", "differences-from-zagg-010-deliberate"},
		{"`output.time` — time windows", "outputtime--time-windows"},
		{"data_source.on_granule_error", "data_sourceon_granule_error"},
		{"[Link](x.md) text", "link-text"},
		{"Ça marche", "ça-marche"},
	} {
		if got := Slug(c.in); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	p, err := Parse("# A\n## A\n```\n# not a heading\n```\n# A\n[x](#a-2)\n`[y](nope.md)`\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"a", "a-1", "a-2"} {
		if !p.Anchors[a] {
			t.Errorf("anchor %q missing from %v", a, p.Anchors)
		}
	}
	if p.Anchors["not-a-heading"] {
		t.Error("a # line inside a code block made an anchor")
	}
	if len(p.Links) != 1 || p.Links[0].Target != "#a-2" {
		t.Errorf("links = %v, want only #a-2 (not the one in a code span)", p.Links)
	}
	if _, err := Parse("```sh\nunclosed\n"); err == nil {
		t.Error("an unclosed fence parsed")
	}
}

// env is what the runnable blocks run with.
type env struct {
	root   string
	bin    string // folder holding zagg, first on PATH
	python string // the venv's python, "" when absent
	noPy   string // why there is no python
}

func setup(t *testing.T, r string) *env {
	t.Helper()
	e := &env{root: r, bin: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(e.bin, "zagg"), "./examples/local")
	cmd.Dir = r
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -o zagg ./examples/local: %v\n%s", err, out)
	}
	venv := os.Getenv("ZAGG_VENV")
	if venv == "" {
		venv = filepath.Join(r, ".venv")
	}
	py := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(py); err == nil {
		e.python = py
	} else {
		e.noPy = fmt.Sprintf("no Python venv at %s (make it with: bash scripts/python/venv.sh)", venv)
	}
	return e
}

// scratch makes a page's scratch folder: a symlink to every top-level entry
// of the repository that git tracks (so blocks read repository paths as from
// a fresh clone's root, and never see or change outputs left in the working
// tree, such as a demo.zarr), nothing else.
func scratch(t *testing.T, r string, top []string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range top {
		if err := os.Symlink(filepath.Join(r, n), filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tracked returns the top-level entries of the repository that git tracks;
// without git (an unpacked archive) every entry but .git and the outputs
// .gitignore names.
func tracked(t *testing.T, r string) []string {
	t.Helper()
	seen := map[string]bool{}
	var top []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			top = append(top, n)
		}
	}
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = r
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		for _, f := range strings.Split(string(out), "\x00") {
			first, _, _ := strings.Cut(f, "/")
			add(first)
		}
		return top
	}
	ents, err := os.ReadDir(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		switch n := e.Name(); n {
		case ".git", ".venv", "node_modules", "demo.zarr", "output.zarr", "dist", "local":
		default:
			add(n)
		}
	}
	return top
}

// TestRunnableBlocks runs every block marked runnable, page by page (see
// the package comment).
func TestRunnableBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the guide's commands; not in -short")
	}
	r := root(t)
	type pageBlocks struct {
		rel    string
		blocks []Block
	}
	var todo []pageBlocks
	total := 0
	for _, rel := range pages(t, r) {
		var bs []Block
		for _, b := range parsePage(t, r, rel).Blocks {
			if b.Runnable {
				bs = append(bs, b)
			}
		}
		if len(bs) > 0 {
			todo = append(todo, pageBlocks{rel, bs})
			total += len(bs)
		}
	}
	if total == 0 {
		t.Fatal("no block marked runnable in the guide")
	}
	e := setup(t, r)
	top := tracked(t, r)
	for _, pb := range todo {
		t.Run(strings.TrimSuffix(filepath.Base(pb.rel), ".md"), func(t *testing.T) {
			dir := scratch(t, r, top)
			for _, b := range pb.blocks {
				start := time.Now()
				e.run(t, pb.rel, dir, b)
				t.Logf("%s:%d %s block: %.1fs", pb.rel, b.Line, b.Lang, time.Since(start).Seconds())
			}
		})
	}
}

// run runs one block in dir; a failure ends the page (later blocks depend
// on earlier ones).
func (e *env) run(t *testing.T, rel, dir string, b Block) {
	t.Helper()
	where := fmt.Sprintf("%s:%d", rel, b.Line)
	timeout := 2 * time.Minute
	if s, ok := b.Options["timeout"]; ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("%s: timeout=%q: %v", where, s, err)
		}
		timeout = d
	}
	var args []string
	switch b.Lang {
	case "sh", "bash", "shell":
		args = []string{"bash", "-euo", "pipefail", "-c", b.Text}
	case "python":
		if e.python == "" {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s: %s; CI must run the guide's Python blocks (scripts/setup.d/python-venv.sh makes it)", where, e.noPy)
			}
			t.Skipf("%s: %s; skipping this page's remaining blocks", where, e.noPy)
		}
		args = []string{e.python, "-c", b.Text}
	case "go":
		exe := filepath.Join(e.bin, "block")
		build := exec.Command("go", "build", "-o", exe, e.goBlock(t, where, b))
		build.Dir = e.root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("%s: go block does not build: %v\n%s", where, err, out)
		}
		args = []string{exe}
	default:
		t.Fatalf("%s: runnable block in language %q (want sh, bash, python or go)", where, b.Lang)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+e.bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("%s: %s block still running after %v (raise timeout= after runnable if it must take longer)\n%s\noutput:\n%s", where, b.Lang, timeout, b.Text, tail(out.String()))
	}
	if err != nil {
		t.Fatalf("%s: %s block failed: %v\n%s\noutput:\n%s", where, b.Lang, err, b.Text, tail(out.String()))
	}
}

// goBlock returns the package a Go block builds: the folder of its file=
// (after checking the block equals the file), or a temporary folder under
// testdata holding the block as main.go.
func (e *env) goBlock(t *testing.T, where string, b Block) string {
	t.Helper()
	if f := b.Options["file"]; f != "" {
		want, err := os.ReadFile(filepath.Join(e.root, filepath.FromSlash(f)))
		if err != nil {
			t.Fatalf("%s: file=%s: %v", where, f, err)
		}
		if strings.TrimRight(string(want), "\n") != strings.TrimRight(b.Text, "\n") {
			t.Fatalf("%s: the block differs from %s; copy the file into the page", where, f)
		}
		return "./" + filepath.ToSlash(filepath.Dir(f))
	}
	base := filepath.Join(e.root, "internal", "doctest", "testdata")
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, "block-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.Text), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(e.root, dir)
	return "./" + filepath.ToSlash(rel)
}

// tail returns the last 4 KiB of s.
func tail(s string) string {
	if len(s) > 4096 {
		return "…" + s[len(s)-4096:]
	}
	return s
}

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// cmdServe serves the granules of a benchmark folder over HTTP on loopback
// (ranged GETs, http.ServeContent), sleeping -latency before answering each
// request, and prints its base URL on the first line of standard output. It
// runs in a process of its own (startServer) so that its CPU time is not the
// measured run's.
func cmdServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dir := fs.String("dir", "", "benchmark folder")
	latency := fs.Duration("latency", 20*time.Millisecond, "delay before each answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root := filepath.Join(*dir, granuleSubdir)
	if !fileExists(root) {
		return fmt.Errorf("no %s", root)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(*latency)
		name := filepath.Base(r.URL.Path)
		if !strings.HasSuffix(name, ".h5") {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(root, name))
	})
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	// The parent closes our standard input to stop us.
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		os.Exit(0)
	}()
	return http.Serve(ln, h)
}

// startServer starts `serve` in a child process (this executable) and
// returns its base URL and a function that stops it.
func startServer(dir string, latency time.Duration) (string, func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(exe, "serve", "-dir", dir, "-latency", latency.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		stdin.Close()
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("serve: %w", err)
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		stop()
		return "", nil, errors.New("serve: unexpected first line " + base)
	}
	return base, stop, nil
}

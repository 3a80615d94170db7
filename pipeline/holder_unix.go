//go:build unix

package pipeline

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// holderGone reports whether holder ("host:pid") is a process of this host
// that no longer exists, so its claim can be taken over at once.
func holderGone(holder string) bool {
	host, pid, ok := strings.Cut(holder, ":")
	if !ok {
		return false
	}
	me, _ := os.Hostname()
	if host != me {
		return false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(n, 0), syscall.ESRCH)
}

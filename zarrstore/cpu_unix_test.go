//go:build unix

package zarrstore

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time (all goroutines,
// e.g. background GC work).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

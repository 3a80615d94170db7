//go:build !unix

package zarrstore

import "time"

// cpuTime is not measured on this platform; the cpu-µs/chunk metric reads 0.
func cpuTime() time.Duration { return 0 }

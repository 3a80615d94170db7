//go:build unix

package zarrstore

import (
	"os"
	"syscall"
)

// lockDir takes an exclusive flock on directory dir and returns its
// release.
func lockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

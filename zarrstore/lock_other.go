//go:build !unix

package zarrstore

import (
	"errors"
	"os"
)

// lockDir is not available without flock: conditional writes to a folder
// store need a Unix host.
func lockDir(dir string) (func(), error) {
	return nil, errors.ErrUnsupported
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

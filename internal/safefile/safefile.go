// Package safefile writes output files without harming what the output
// path names. A command's --output or --results path may be a regular file
// (replaced atomically: readers see the old or the new contents, never a
// partial file, and a failed write leaves the old file), a new file, a
// symbolic link (followed: the file it points to is written and the link is
// kept), or a character device or FIFO such as /dev/null, /dev/stdout or a
// named pipe (written directly: never replaced by a regular file). Anything
// else (a directory, a socket, a block device) is refused with
// [ErrNotRegular].
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotRegular means the path names something a command must not write
// to: a directory, a socket or a block device.
var ErrNotRegular = errors.New("safefile: not a regular file, character device or FIFO")

// maxLinks bounds the symbolic links followed to resolve a path.
const maxLinks = 40

// Write writes the output of write to path as the package describes. perm
// is the mode of a new file (before the umask); a replaced file keeps its
// mode. write must not retain w. Before a regular file is written, the
// temporary files of earlier writes to the same path that a killed process
// left are removed once older than StaleAfter.
func Write(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return replace(target, perm, false, write)
	case err != nil:
		return err
	case st.Mode().IsRegular():
		return replace(target, st.Mode().Perm(), true, write)
	case st.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return direct(target, write)
	}
	return fmt.Errorf("%w: %s is a %s", ErrNotRegular, path, kind(st.Mode()))
}

// WriteFile writes data to path (see [Write]).
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return "special file (" + m.Type().String() + ")"
}

// resolve follows symbolic links in the last element of path (and, through
// the file system, in its directories), also to a target that does not
// exist yet, so that writing through a dangling link creates its target.
func resolve(path string) (string, error) {
	p := path
	for range maxLinks {
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return "", fmt.Errorf("safefile: %s: more than %d symbolic links", path, maxLinks)
}

// direct writes to a character device or FIFO as it is.
func direct(target string, write func(io.Writer) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// StaleAfter is the age (by modification time) past which a temporary
// file of an earlier write to the same path, left by a killed process, is
// removed by the next write. A live writer holds its temporary file only
// while it writes one output.
const StaleAfter = time.Hour

// cleanStale removes the temporary files of earlier writes to dir/base
// last modified before cutoff. Failures are ignored: the files are only
// clutter.
func cleanStale(dir, base string, cutoff time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + ".tmp-"
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if st, err := e.Info(); err == nil && st.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// replace writes a temporary file beside target and renames it over it.
// The temporary file is created with perm (the umask applies); keep sets
// perm exactly, as the mode of the file replaced.
func replace(target string, perm fs.FileMode, keep bool, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	cleanStale(dir, base, time.Now().Add(-StaleAfter))
	var f *os.File
	for {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if keep {
		if err = f.Chmod(perm); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), target)
}

package zarrstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FSBackend stores objects as files under a local directory. Put writes a
// temporary file in the destination directory and renames it over the key,
// so readers and concurrent writers never see a partial object.
type FSBackend struct {
	root      string
	sync      bool
	maxObject atomic.Int64 // 0: DefaultMaxObjectSize
	dirs      sync.Map     // directories known to exist
}

// tmpPrefix starts the names of in-flight temporary files; List and ListDir
// skip them.
const tmpPrefix = ".zarrstore-tmp-"

// NewFSBackend returns a backend rooted at dir (created on first Put). With
// syncWrites, Put also fsyncs each file before renaming it (durable across
// power loss, much slower); without it a crash can lose recent objects but
// never leaves a partial one visible.
func NewFSBackend(dir string, syncWrites bool) *FSBackend {
	return &FSBackend{root: filepath.Clean(dir), sync: syncWrites}
}

// Root returns the backend's directory.
func (b *FSBackend) Root() string { return b.root }

func (b *FSBackend) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(b.root, filepath.FromSlash(key)), nil
}

// SetMaxObjectSize sets the largest object Get reads, in bytes (0 restores
// DefaultMaxObjectSize; zarr.json documents are also bounded by
// MaxMetadataSize). It is safe to call concurrently with Get.
func (b *FSBackend) SetMaxObjectSize(n int64) {
	b.maxObject.Store(max(n, 0))
}

// Get implements [Backend]. It reads only regular files, and refuses one
// larger than the limit (see [FSBackend.SetMaxObjectSize]) with
// [ErrTooLarge] before reading it; a file that grows while it is read is
// refused after reading at most the limit and one byte.
func (b *FSBackend) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := objectLimit(key, b.maxObject.Load())
	// Stat before opening: opening a FIFO would block.
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := checkObject(p, st, limit); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkObject(p, st, limit); err != nil {
		return nil, err
	}
	// Read into a buffer of the stated size; one more byte detects growth.
	buf := make([]byte, st.Size()+1)
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil:
		if int64(n) > limit {
			return nil, fmt.Errorf("%s: %w: it grew past %d bytes while read", p, ErrTooLarge, limit)
		}
		// Grew but within the limit: read the rest, bounded.
		rest, err := io.ReadAll(io.LimitReader(f, limit+1-int64(n)))
		if err != nil {
			return nil, err
		}
		buf = append(buf, rest...)
		if int64(len(buf)) > limit {
			return nil, fmt.Errorf("%s: %w: it grew past %d bytes while read", p, ErrTooLarge, limit)
		}
		return buf, nil
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return buf[:n], nil
	}
	return nil, err
}

// checkObject refuses what Get must not read: a non-regular file (a FIFO
// would block, a device may be endless) or one over the limit.
func checkObject(p string, st fs.FileInfo, limit int64) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %w: not a regular file (%v)", p, ErrNotFound, st.Mode().Type())
	}
	if st.Size() > limit {
		return fmt.Errorf("%s: %w: %d bytes, more than the limit of %d", p, ErrTooLarge, st.Size(), limit)
	}
	return nil
}

// Put implements [Backend].
func (b *FSBackend) Put(ctx context.Context, key string, data []byte) (err error) {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if _, ok := b.dirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		b.dirs.Store(dir, struct{}{})
	}
	f, err := createTemp(dir)
	if errors.Is(err, fs.ErrNotExist) {
		// The directory was removed since it was cached.
		if err = os.MkdirAll(dir, 0o755); err == nil {
			f, err = createTemp(dir)
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
	if _, err = f.Write(data); err != nil {
		return err
	}
	if b.sync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// TempGrace is how old (by modification time) a temporary file of an
// interrupted Put must be before [FSBackend.CleanTemp] removes it when a
// run starts. A Put holds its temporary file only while it writes one
// object, so a file an hour old belongs to a process that died (kill -9,
// power loss), never to a live writer.
const TempGrace = time.Hour

// CleanTemp removes the temporary files (".zarrstore-tmp-*") that
// interrupted Puts left anywhere under the root, if they were last modified
// before the given time (pass time.Now().Add(-TempGrace)), and returns how
// many it removed. Younger temporary files may belong to a live writer in
// another process and are kept. A missing root is not an error.
func (b *FSBackend) CleanTemp(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := filepath.WalkDir(b.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() || !strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // renamed or removed meanwhile
		}
		if err != nil {
			return err
		}
		if !info.ModTime().Before(before) {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// createTemp creates a new file for writing in dir, readable by all (subject
// to the umask) like any other object of the store.
func createTemp(dir string) (*os.File, error) {
	for {
		name := filepath.Join(dir, tmpPrefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
}

// Exists implements [Backend].
func (b *FSBackend) Exists(ctx context.Context, key string) (bool, error) {
	p, err := b.path(key)
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return st.Mode().IsRegular(), nil
}

// Delete implements [Backend].
func (b *FSBackend) Delete(ctx context.Context, key string) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List implements [Backend]. It walks only the directory that contains the
// prefix's last "/", so listing one array's chunks does not walk the store.
func (b *FSBackend) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := CheckPrefix(prefix); err != nil {
			yield("", err)
			return
		}
		base := ""
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			base = prefix[:i]
		}
		start := filepath.Join(b.root, filepath.FromSlash(base))
		stop := errors.New("stop")
		err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, rerr := filepath.Rel(b.root, p)
			if rerr != nil {
				return rerr
			}
			key := filepath.ToSlash(rel)
			if d.IsDir() {
				// Prune directories that cannot hold matching keys.
				if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), tmpPrefix) || !strings.HasPrefix(key, prefix) {
				return nil
			}
			if !yield(key, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yield("", err)
		}
	}
}

// ListDir implements [Backend].
func (b *FSBackend) ListDir(ctx context.Context, prefix string) (objects, dirs []string, err error) {
	if err := CheckPrefix(prefix); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ents, err := os.ReadDir(filepath.Join(b.root, filepath.FromSlash(strings.TrimSuffix(prefix, "/"))))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		switch {
		case strings.HasPrefix(e.Name(), tmpPrefix):
		case e.IsDir():
			dirs = append(dirs, e.Name())
		case e.Type().IsRegular():
			objects = append(objects, e.Name())
		}
	}
	return objects, dirs, nil
}

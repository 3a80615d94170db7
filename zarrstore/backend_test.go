package zarrstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// backends returns one fresh instance of every backend kind.
func backends(t *testing.T) map[string]zarrstore.Backend {
	t.Helper()
	srv := s3test.New(t, "bucket")
	s3b, err := s3store.New(srv.Client, "bucket", uniquePrefix(t), s3store.Options{MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]zarrstore.Backend{
		"memory": zarrstore.NewMemBackend(),
		"fs":     zarrstore.NewFSBackend(filepath.Join(t.TempDir(), "store.zarr"), false),
		"s3":     s3b,
	}
}

// uniquePrefix keeps tests apart on a shared external S3 server.
func uniquePrefix(t *testing.T) string {
	return fmt.Sprintf("t/%s-%d/out.zarr", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()), time.Now().UnixNano())
}

func TestBackendConformance(t *testing.T) {
	ctx := context.Background()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := b.Get(ctx, "a/zarr.json"); !errors.Is(err, zarrstore.ErrNotFound) {
				t.Errorf("Get(missing) = %v, want ErrNotFound", err)
			}
			if ok, err := b.Exists(ctx, "a/zarr.json"); ok || err != nil {
				t.Errorf("Exists(missing) = %v, %v", ok, err)
			}
			objs := map[string][]byte{
				"zarr.json": []byte("{}"), "a/zarr.json": []byte(`{"x":1}`), "a/c/1": {1, 2, 3},
				"a/c/10": {}, "a/c/2": bytes.Repeat([]byte{9}, 100000), "b/zarr.json": []byte("b"),
			}
			for k, v := range objs {
				if err := b.Put(ctx, k, v); err != nil {
					t.Fatalf("Put(%q): %v", k, err)
				}
			}
			for k, v := range objs {
				got, err := b.Get(ctx, k)
				if err != nil || !bytes.Equal(got, v) {
					t.Errorf("Get(%q) = %d bytes, %v; want %d bytes", k, len(got), err, len(v))
				}
				if ok, err := b.Exists(ctx, k); !ok || err != nil {
					t.Errorf("Exists(%q) = %v, %v", k, ok, err)
				}
			}
			if err := b.Put(ctx, "a/c/1", []byte{4}); err != nil {
				t.Fatal(err)
			}
			if got, _ := b.Get(ctx, "a/c/1"); !bytes.Equal(got, []byte{4}) {
				t.Errorf("Get after overwrite = %v, want [4]", got)
			}
			var keys []string
			for k, err := range b.List(ctx, "a/c/") {
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"a/c/1", "a/c/10", "a/c/2"}; !slices.Equal(keys, want) {
				t.Errorf("List(a/c/) = %v, want %v", keys, want)
			}
			files, dirs, err := b.ListDir(ctx, "")
			slices.Sort(files)
			slices.Sort(dirs)
			if err != nil || !slices.Equal(files, []string{"zarr.json"}) || !slices.Equal(dirs, []string{"a", "b"}) {
				t.Errorf("ListDir(\"\") = %v, %v, %v; want [zarr.json] [a b]", files, dirs, err)
			}
			files, dirs, err = b.ListDir(ctx, "a/")
			if err != nil || !slices.Equal(files, []string{"zarr.json"}) || !slices.Equal(dirs, []string{"c"}) {
				t.Errorf("ListDir(a/) = %v, %v, %v; want [zarr.json] [c]", files, dirs, err)
			}
			if err := b.Delete(ctx, "a/c/1"); err != nil {
				t.Fatal(err)
			}
			if err := b.Delete(ctx, "a/c/1"); err != nil {
				t.Errorf("Delete(missing) = %v, want nil", err)
			}
			if _, err := b.Get(ctx, "a/c/1"); !errors.Is(err, zarrstore.ErrNotFound) {
				t.Errorf("Get(deleted) = %v, want ErrNotFound", err)
			}
			for _, bad := range []string{"", "/abs", "a//b", "../x", "a/./b", "a/..", "a\\b"} {
				if err := b.Put(ctx, bad, nil); !errors.Is(err, zarrstore.ErrInvalidKey) {
					t.Errorf("Put(%q) = %v, want ErrInvalidKey", bad, err)
				}
				if _, err := b.Get(ctx, bad); !errors.Is(err, zarrstore.ErrInvalidKey) {
					t.Errorf("Get(%q) = %v, want ErrInvalidKey", bad, err)
				}
			}
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if err := b.Put(cctx, "x", []byte{1}); err == nil {
				t.Errorf("Put with a cancelled context succeeded")
			}
		})
	}
}

// TestConcurrentChunkWriters has many goroutines write distinct chunks of the
// same arrays at once on every backend (run with -race), then checks every
// chunk and the listing.
func TestConcurrentChunkWriters(t *testing.T) {
	ctx := context.Background()
	const workers, perWorker = 12, 4
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := zarrstore.New(b)
			l := testLayout()
			l.Codecs = zarrstore.Codecs{ShardInner: 16}
			l.Parents = nil
			for p := range uint64(48) {
				l.Parents = append(l.Parents, p) // every order-1 cell
			}
			if _, err := s.Setup(ctx, l); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// A fresh Store per worker, like separate processes.
					ws := zarrstore.New(b)
					for k := range perWorker {
						chunk := int64(w*perWorker + k)
						for _, v := range []string{"4/h_mean", "4/count"} {
							var data any = chunkValues(chunk)
							if v == "4/count" {
								data = chunkCounts(chunk)
							}
							if err := ws.WriteChunk(ctx, v, chunk, data); err != nil {
								errs <- err
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			got, err := s.ListChunks(ctx, "4/h_mean")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != workers*perWorker || got[0] != 0 || got[len(got)-1] != workers*perWorker-1 {
				t.Errorf("ListChunks = %v, want 0…%d", got, workers*perWorker-1)
			}
			a, err := s.OpenArray(ctx, "4/h_mean")
			if err != nil {
				t.Fatal(err)
			}
			for chunk := range int64(workers * perWorker) {
				v, err := zarrstore.ReadChunkAs[float32](ctx, a, chunk)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(v, chunkValues(chunk)) {
					t.Fatalf("chunk %d = %v, want %v", chunk, v, chunkValues(chunk))
				}
			}
		})
	}
}

func chunkValues(chunk int64) []float32 {
	v := make([]float32, 64)
	for i := range v {
		v[i] = float32(chunk)*1000 + float32(i)
	}
	return v
}

func chunkCounts(chunk int64) []int32 {
	v := make([]int32, 64)
	for i := range v {
		v[i] = int32(chunk) + int32(i)
	}
	return v
}

// TestFSPutAtomic overwrites one key with two different large objects from
// several goroutines while readers check they only ever see a whole object.
func TestFSPutAtomic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := zarrstore.NewFSBackend(dir, false)
	objs := [][]byte{bytes.Repeat([]byte{1}, 1<<20), bytes.Repeat([]byte{2}, 1<<19)}
	if err := b.Put(ctx, "k/v", objs[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if err := b.Put(ctx, "k/v", objs[(w+i)%2]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var rg sync.WaitGroup
	for range 2 {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := b.Get(ctx, "k/v")
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, objs[0]) && !bytes.Equal(got, objs[1]) {
					t.Errorf("read a partial object of %d bytes", len(got))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	ents, err := os.ReadDir(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after the writes (temporary files left?)", len(ents))
	}
	// A failing Put (the parent "directory" is a file) leaves nothing.
	if err := b.Put(ctx, "k/v/x", []byte{1}); err == nil {
		t.Errorf("Put under a file succeeded")
	}
}

// TestFSSyncWrites exercises the fsync path.
func TestFSSyncWrites(t *testing.T) {
	ctx := context.Background()
	s, err := zarrstore.Open("file://"+filepath.Join(t.TempDir(), "s.zarr"), zarrstore.WithSyncWrites(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteChunk(ctx, "4/count", 2, chunkCounts(2)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ChunkExists(ctx, "4/count", 2); !ok || err != nil {
		t.Errorf("ChunkExists = %v, %v", ok, err)
	}
}

func TestOpenLocations(t *testing.T) {
	srv := s3test.New(t, "bucket")
	tests := []struct {
		loc  string
		opts []zarrstore.Option
		ok   bool
		kind string
	}{
		{"memory:", nil, true, "*zarrstore.MemBackend"},
		{"memory://", nil, true, "*zarrstore.MemBackend"},
		{t.TempDir(), nil, true, "*zarrstore.FSBackend"},
		{"file:///tmp/x.zarr", nil, true, "*zarrstore.FSBackend"},
		{"s3://bucket/run/out.zarr", []zarrstore.Option{s3store.WithClient(srv.Client, s3store.Options{})}, true, "*s3store.Backend"},
		{"s3://bucket", []zarrstore.Option{s3store.WithClient(srv.Client, s3store.Options{})}, true, "*s3store.Backend"},
		{"s3://bucket/x", nil, false, ""},
		{"s3:///x", []zarrstore.Option{s3store.WithClient(srv.Client, s3store.Options{})}, false, ""},
		{"s3://bucket/../x", []zarrstore.Option{s3store.WithClient(srv.Client, s3store.Options{})}, false, ""},
		{"", nil, false, ""},
		{"s3://bucket/x", []zarrstore.Option{s3store.WithClient(nil, s3store.Options{})}, false, ""},
		{"x", []zarrstore.Option{s3store.WithClient(nil, s3store.Options{})}, true, "*zarrstore.FSBackend"},
		{"mem2://x", []zarrstore.Option{zarrstore.WithScheme("mem2://", func(string) (zarrstore.Backend, error) { return zarrstore.NewMemBackend(), nil })}, true, "*zarrstore.MemBackend"},
		{"mem2://x", []zarrstore.Option{zarrstore.WithScheme("mem2://", func(string) (zarrstore.Backend, error) { return nil, zarrstore.ErrInvalidKey })}, false, ""},
		{"x", []zarrstore.Option{zarrstore.WithScheme("", nil)}, false, ""},
	}
	for _, tt := range tests {
		s, err := zarrstore.Open(tt.loc, tt.opts...)
		if (err == nil) != tt.ok {
			t.Errorf("Open(%q) error = %v, want ok=%v", tt.loc, err, tt.ok)
			continue
		}
		if err == nil {
			if got := fmt.Sprintf("%T", s.Backend()); got != tt.kind {
				t.Errorf("Open(%q) backend %s, want %s", tt.loc, got, tt.kind)
			}
		}
	}
}

// TestFSRecreatesRemovedDir: the backend caches directories it created; a
// directory removed behind its back is created again.
func TestFSRecreatesRemovedDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := zarrstore.NewFSBackend(dir, false)
	if err := b.Put(ctx, "a/c/1", []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "a/c/2", []byte{2}); err != nil {
		t.Fatalf("Put after the directory was removed: %v", err)
	}
	st, err := os.Stat(filepath.Join(dir, "a", "c", "2"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o044 == 0 {
		t.Errorf("object mode %v is not readable by group/others", st.Mode())
	}
}

package zarrstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

// getOnly hides a backend's GetRange, so GetRange falls back to Get.
type getOnly struct{ zarrstore.Backend }

func TestGetRange(t *testing.T) {
	ctx := context.Background()
	data := []byte("0123456789")
	backends := map[string]zarrstore.Backend{
		"mem":     zarrstore.NewMemBackend(),
		"fs":      zarrstore.NewFSBackend(t.TempDir(), false),
		"getonly": getOnly{zarrstore.NewMemBackend()},
	}
	cases := []struct {
		off, n int64
		want   string
	}{
		{0, 10, "0123456789"}, {2, 3, "234"}, {8, 5, "89"}, {10, 1, ""}, {12, 1, ""},
		{-1, 3, "789"}, {-1, 20, "0123456789"},
	}
	for name, b := range backends {
		t.Run(name, func(t *testing.T) {
			if err := b.Put(ctx, "a/obj", data); err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				got, size, err := zarrstore.GetRange(ctx, b, "a/obj", c.off, c.n)
				if err != nil || string(got) != c.want || size != 10 {
					t.Errorf("GetRange(%d, %d) = %q, %d, %v; want %q, 10", c.off, c.n, got, size, err, c.want)
				}
			}
			if _, _, err := zarrstore.GetRange(ctx, b, "a/missing", 0, 1); !errors.Is(err, zarrstore.ErrNotFound) {
				t.Errorf("missing object: %v, want ErrNotFound", err)
			}
			for _, n := range []int64{0, -1, zarrstore.DefaultMaxObjectSize + 1} {
				if _, _, err := zarrstore.GetRange(ctx, b, "a/obj", 0, n); !errors.Is(err, zarrstore.ErrRange) {
					t.Errorf("n = %d: %v, want ErrRange", n, err)
				}
			}
		})
	}
}

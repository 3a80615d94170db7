package s3store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

func TestS3GetRange(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	b := openS3(t, srv, s3store.Options{}).Backend()
	if _, ok := b.(zarrstore.RangeReader); !ok {
		t.Fatal("the S3 backend is not a RangeReader")
	}
	if err := b.Put(ctx, "side/obj", []byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		off, n int64
		want   string
	}{{0, 10, "0123456789"}, {2, 3, "234"}, {8, 5, "89"}, {-1, 3, "789"}, {-1, 20, "0123456789"}, {12, 1, ""}} {
		got, size, err := zarrstore.GetRange(ctx, b, "side/obj", c.off, c.n)
		if err != nil || string(got) != c.want || size != 10 {
			t.Errorf("GetRange(%d, %d) = %q, %d, %v; want %q, 10", c.off, c.n, got, size, err, c.want)
		}
	}
	if _, _, err := zarrstore.GetRange(ctx, b, "side/missing", 0, 4); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("missing object: %v, want ErrNotFound", err)
	}
}

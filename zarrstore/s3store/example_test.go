package s3store_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// Write a store to a bucket and read a chunk back. The bucket is an
// in-memory S3 server on loopback; against AWS, pass an *s3.Client built
// from the usual configuration.
func Example() {
	mem := s3mem.New()
	if err := mem.CreateBucket("out"); err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	defer srv.Close()
	client := s3test.NewClient(srv.URL, "us-west-2", "key", "secret")

	// The option handles s3:// locations; folders and "memory:" open as
	// without it, so a caller that accepts any location always passes it.
	opt := s3store.WithClient(client, s3store.Options{})
	s, err := zarrstore.Open("s3://out/runs/demo.zarr", opt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Backend().(*s3store.Backend).Location())

	ctx := context.Background()
	layout := zarrstore.Layout{
		ParentOrder: 1, Orders: []int{2}, Parents: []uint64{5, 9},
		Variables: []zarrstore.Variable{{Name: "count", DataType: zarrstore.Int32}},
	}
	if _, err := s.Setup(ctx, layout); err != nil {
		log.Fatal(err)
	}
	// Chunk 1 holds the four children of the second parent, cell 9.
	if err := s.WriteChunk(ctx, "2/count", 1, []int32{1, 2, 3, 4}); err != nil {
		log.Fatal(err)
	}
	v, err := s.ReadChunk(ctx, "2/count", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	// Output:
	// s3://out/runs/demo.zarr
	// [1 2 3 4]
}

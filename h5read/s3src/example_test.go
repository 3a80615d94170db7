package s3src_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/h5read/s3src"
)

// Read a dataset of an HDF5 object in a bucket. The bucket here is a
// loopback server that answers path-style ranged GETs of one object (all
// that a ranged GetObject needs); against AWS, pass an *s3.Client built
// from the usual configuration.
func Example() {
	obj, err := os.ReadFile("../testdata/fx_v0.h5")
	if err != nil {
		log.Fatal(err)
	}
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || strings.TrimPrefix(r.URL.Path, "/") != "granules/ATL06/g.h5" {
			http.NotFound(w, r)
			return
		}
		gets.Add(1)
		http.ServeContent(w, r, "g.h5", time.Time{}, bytes.NewReader(obj))
	}))
	defer srv.Close()
	client := s3.New(s3.Options{
		Region: "us-west-2", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: aws.AnonymousCredentials{},
	})

	ctx := context.Background()
	f, err := s3src.Open(ctx, client, "granules", "ATL06/g.h5", h5read.WithHeadSize(64<<10))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/h_li")
	if err != nil {
		log.Fatal(err)
	}
	h := make([]float32, 3)
	if err := h5read.ReadRows(ctx, d, h, 0, 3); err != nil {
		log.Fatal(err)
	}
	fmt.Println("object size:", f.Size(), "shape:", d.Shape())
	fmt.Println("h_li:", h)
	fmt.Println("GETs counted by the File equal those served:", f.Stats().Requests == gets.Load())
	// Output:
	// object size: 316752 shape: [25000]
	// h_li: [3.4028235e+38 1000.1719 1000.3281]
	// GETs counted by the File equal those served: true
}

package sampletest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zagg-go/zagg/internal/sampledata"
)

func TestServeHoldsEveryCatalogGranule(t *testing.T) {
	srv := Serve(t, "out")
	for key, urls := range Catalog(t) {
		for _, u := range urls {
			k, _ := sampledata.Key(u)
			if _, err := srv.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(sampledata.Bucket), Key: aws.String(k)}); err != nil {
				t.Errorf("cell %s: %s not served: %v", key, u, err)
			}
		}
	}
	key, urls := LargestCell(t)
	for k, u := range Catalog(t) {
		if len(u) > len(urls) {
			t.Errorf("LargestCell = %s with %d granules, but %s has %d", key, len(urls), k, len(u))
		}
	}
}

package s3store

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zagg-go/zagg/zarrstore"
)

// WithClient is the [zarrstore.Open] option for "s3://bucket/prefix"
// locations: they get a [Backend] on client configured by opts (the zero
// value is valid). Other locations are unaffected. A nil client is an error
// (wrapping [zarrstore.ErrInvalidLayout]) when an s3:// location is opened.
func WithClient(client *s3.Client, opts Options) zarrstore.Option {
	return zarrstore.WithScheme("s3://", func(location string) (zarrstore.Backend, error) {
		bucket, prefix, _ := strings.Cut(strings.TrimPrefix(location, "s3://"), "/")
		if client == nil {
			return nil, fmt.Errorf("%w: nil S3 client for %s", zarrstore.ErrInvalidLayout, location)
		}
		return New(client, bucket, prefix, opts)
	})
}

// Endpoint returns the client option an S3-compatible server at endpoint
// needs (versitygw, MinIO, a loopback test server): the endpoint URL,
// path-style addressing, and checksums only where the API requires them
// (such servers reject or ignore the SDK's default trailing checksums). An
// empty endpoint returns an option that changes nothing, so callers can
// pass a flag through unconditionally.
func Endpoint(endpoint string) func(*s3.Options) {
	return func(o *s3.Options) {
		if endpoint == "" {
			return
		}
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
}

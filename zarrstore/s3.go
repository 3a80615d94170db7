package zarrstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3Options configures an [S3Backend]. The zero value is valid.
type S3Options struct {
	// MaxAttempts is the number of attempts per request, including the
	// first (default 8). Throttling (503 SlowDown, 429), 5xx answers, dropped
	// connections and timeouts are retried with exponential backoff and
	// jitter; other errors are not.
	MaxAttempts int
	// MaxBackoff caps the delay between attempts (default 20 s).
	MaxBackoff time.Duration
	// RequestChecksum chooses when the SDK adds request checksums (default
	// aws.RequestChecksumCalculationWhenRequired, which every S3-compatible
	// server accepts; WhenSupported adds CRC32 trailers that some reject).
	RequestChecksum aws.RequestChecksumCalculation
	// ResponseChecksum chooses when the SDK validates response checksums
	// (default aws.ResponseChecksumValidationWhenRequired).
	ResponseChecksum aws.ResponseChecksumValidation
	// MaxObjectSize bounds the bytes Get reads from one object (default
	// 1 GiB + 1 MiB); larger objects are an error, not an allocation.
	MaxObjectSize int64
}

// S3Backend stores objects under a prefix of an S3 bucket. Every Put is one
// PutObject of a seekable in-memory body, so it is atomic and any retry (by
// the SDK, an orchestrator or a duplicated event) is idempotent.
type S3Backend struct {
	client *s3.Client
	bucket string
	prefix string // "" or ends in "/"
	opts   S3Options
	optFns []func(*s3.Options)
}

// NewS3Backend returns a backend for s3://bucket/prefix using client, which
// the caller configures (region, credentials, endpoint). The backend
// overrides the client's retryer and checksum modes per request according to
// opts.
func NewS3Backend(client *s3.Client, bucket, prefix string, opts S3Options) (*S3Backend, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil S3 client", ErrInvalidLayout)
	}
	if bucket == "" || strings.Contains(bucket, "/") {
		return nil, fmt.Errorf("%w: S3 bucket %q", ErrInvalidKey, bucket)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		if err := checkKey(prefix); err != nil {
			return nil, err
		}
		prefix += "/"
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 20 * time.Second
	}
	if opts.RequestChecksum == 0 {
		opts.RequestChecksum = aws.RequestChecksumCalculationWhenRequired
	}
	if opts.ResponseChecksum == 0 {
		opts.ResponseChecksum = aws.ResponseChecksumValidationWhenRequired
	}
	if opts.MaxObjectSize <= 0 {
		opts.MaxObjectSize = maxChunkBytes + 1<<20
	}
	retryer := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = opts.MaxAttempts
		o.MaxBackoff = opts.MaxBackoff
		// Thousands of workers share nothing; a client-side retry quota
		// would turn a burst of throttling into hard failures.
		o.RateLimiter = ratelimit.None
		o.Retryables = append(slices.Clone(o.Retryables), retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			var re *smithyhttp.ResponseError
			if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests {
				return aws.TrueTernary
			}
			return aws.UnknownTernary
		}))
	})
	b := &S3Backend{client: client, bucket: bucket, prefix: prefix, opts: opts}
	b.optFns = []func(*s3.Options){func(o *s3.Options) {
		o.Retryer = retryer
		o.RequestChecksumCalculation = opts.RequestChecksum
		o.ResponseChecksumValidation = opts.ResponseChecksum
	}}
	return b, nil
}

// Location returns "s3://bucket/prefix".
func (b *S3Backend) Location() string {
	return "s3://" + b.bucket + "/" + strings.TrimSuffix(b.prefix, "/")
}

func (b *S3Backend) where(key string) string { return "s3://" + b.bucket + "/" + b.prefix + key }

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// Get implements [Backend].
func (b *S3Backend) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%s: %w", b.where(key), ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", b.where(key), err)
	}
	defer out.Body.Close()
	n := aws.ToInt64(out.ContentLength)
	if n > b.opts.MaxObjectSize {
		return nil, fmt.Errorf("get %s: object of %d bytes exceeds the limit %d", b.where(key), n, b.opts.MaxObjectSize)
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(n, 0)+bytes.MinRead))
	m, err := buf.ReadFrom(io.LimitReader(out.Body, b.opts.MaxObjectSize+1))
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", b.where(key), err)
	}
	if m > b.opts.MaxObjectSize {
		return nil, fmt.Errorf("get %s: object exceeds the limit %d bytes", b.where(key), b.opts.MaxObjectSize)
	}
	if out.ContentLength != nil && m != n {
		return nil, fmt.Errorf("get %s: read %d of %d bytes: %w", b.where(key), m, n, io.ErrUnexpectedEOF)
	}
	return buf.Bytes(), nil
}

// Put implements [Backend].
func (b *S3Backend) Put(ctx context.Context, key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))),
	}, b.optFns...)
	if err != nil {
		return fmt.Errorf("put %s: %w", b.where(key), err)
	}
	return nil
}

// Exists implements [Backend].
func (b *S3Backend) Exists(ctx context.Context, key string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("head %s: %w", b.where(key), err)
	}
	return true, nil
}

// Delete implements [Backend].
func (b *S3Backend) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", b.where(key), err)
	}
	return nil
}

// List implements [Backend].
func (b *S3Backend) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := checkPrefix(prefix); err != nil {
			yield("", err)
			return
		}
		p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(b.bucket), Prefix: aws.String(b.prefix + prefix),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, b.optFns...)
			if err != nil {
				yield("", fmt.Errorf("list %s: %w", b.where(prefix), err))
				return
			}
			for _, o := range page.Contents {
				if !yield(strings.TrimPrefix(aws.ToString(o.Key), b.prefix), nil) {
					return
				}
			}
		}
	}
}

// ListDir implements [Backend].
func (b *S3Backend) ListDir(ctx context.Context, prefix string) (objects, dirs []string, err error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, nil, err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	full := b.prefix + prefix
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(b.bucket), Prefix: aws.String(full), Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, b.optFns...)
		if err != nil {
			return nil, nil, fmt.Errorf("list %s: %w", b.where(prefix), err)
		}
		for _, o := range page.Contents {
			// Skip "directory marker" objects named like the prefix.
			if name := strings.TrimPrefix(aws.ToString(o.Key), full); name != "" {
				objects = append(objects, name)
			}
		}
		for _, cp := range page.CommonPrefixes {
			dirs = append(dirs, strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), full), "/"))
		}
	}
	return objects, dirs, nil
}

package s3store

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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	zretry "github.com/zagg-go/zagg/internal/retry"
	"github.com/zagg-go/zagg/zarrstore"
)

// Errors of the S3 backend, told apart from [zarrstore.ErrNotFound] (a
// missing object):
// a missing bucket or refused credentials are not "nothing written yet".
var (
	// ErrNoBucket means the store's S3 bucket does not exist (NoSuchBucket).
	ErrNoBucket = errors.New("s3store: no such S3 bucket")
	// ErrAccessDenied means S3 refused the request's credentials or
	// permissions (HTTP 403: AccessDenied, InvalidAccessKeyId,
	// SignatureDoesNotMatch, …). Never retried.
	ErrAccessDenied = errors.New("s3store: S3 access denied")
)

// Options configures a [Backend]. The zero value is valid.
type Options struct {
	// MaxAttempts is the number of attempts per request, including the
	// first (default 8). Throttling (503 SlowDown, 429), 5xx answers, dropped
	// connections and timeouts are retried with exponential backoff and
	// jitter; other errors (403, 404, 400) are not. A Get whose body is cut
	// mid-way is sent again within the same MaxAttempts.
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

// Backend is a [zarrstore.Backend] (and [zarrstore.Versioned]) that stores
// objects under a prefix of an S3 bucket. Every Put is one PutObject of a
// seekable in-memory body, so it is atomic and any retry (by the SDK, an
// orchestrator or a duplicated event) is idempotent.
type Backend struct {
	client *s3.Client
	bucket string
	prefix string // "" or ends in "/"
	opts   Options
	optFns []func(*s3.Options)

	bucketOK atomic.Bool // the bucket was seen to exist
}

// New returns a backend for s3://bucket/prefix using client, which
// the caller configures (region, credentials, endpoint). The backend
// overrides the client's retryer and checksum modes per request according to
// opts.
func New(client *s3.Client, bucket, prefix string, opts Options) (*Backend, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil S3 client", zarrstore.ErrInvalidLayout)
	}
	if bucket == "" || strings.Contains(bucket, "/") {
		return nil, fmt.Errorf("%w: S3 bucket %q", zarrstore.ErrInvalidKey, bucket)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		if err := zarrstore.CheckKey(prefix); err != nil {
			return nil, err
		}
		prefix += "/"
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = zretry.StoreRequestTries
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
		opts.MaxObjectSize = zarrstore.DefaultMaxObjectSize
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
	b := &Backend{client: client, bucket: bucket, prefix: prefix, opts: opts}
	b.optFns = []func(*s3.Options){func(o *s3.Options) {
		o.Retryer = retryer
		o.RequestChecksumCalculation = opts.RequestChecksum
		o.ResponseChecksumValidation = opts.ResponseChecksum
	}}
	return b, nil
}

// Location returns "s3://bucket/prefix".
func (b *Backend) Location() string {
	return "s3://" + b.bucket + "/" + strings.TrimSuffix(b.prefix, "/")
}

func (b *Backend) where(key string) string { return "s3://" + b.bucket + "/" + b.prefix + key }

// s3Error wraps err, an error of op on key, with the sentinel of its kind:
// zarrstore.ErrNotFound for a missing object (NoSuchKey, or a HEAD's bodiless 404 in a
// bucket that exists), ErrNoBucket, ErrAccessDenied; other errors are
// wrapped as they are.
func (b *Backend) s3Error(ctx context.Context, op, key string, err error) error {
	var (
		nsk *types.NoSuchKey
		nsb *types.NoSuchBucket
		nf  *types.NotFound
		api smithy.APIError
		re  *smithyhttp.ResponseError
	)
	code := ""
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	where := b.where(key)
	switch {
	case errors.As(err, &nsb) || code == "NoSuchBucket":
		return fmt.Errorf("%s %s: bucket %q does not exist: %w (%v)", op, where, b.bucket, ErrNoBucket, err)
	case errors.As(err, &nsk) || code == "NoSuchKey":
		return fmt.Errorf("%s: %w", where, zarrstore.ErrNotFound)
	case status == http.StatusForbidden:
		return fmt.Errorf("%s %s: %w (%v)", op, where, ErrAccessDenied, err)
	case errors.As(err, &nf) || status == http.StatusNotFound && (code == "" || code == "NotFound"):
		// A HEAD answer has no body: a 404 may be a missing bucket.
		if berr := b.checkBucket(ctx); berr != nil {
			return fmt.Errorf("%s %s: %w", op, where, berr)
		}
		return fmt.Errorf("%s: %w", where, zarrstore.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w", op, where, err)
}

// checkBucket returns nil if the bucket exists (remembered once seen), an
// error wrapping ErrNoBucket or ErrAccessDenied if it does not or cannot be
// seen, or the error of the check.
func (b *Backend) checkBucket(ctx context.Context) error {
	if b.bucketOK.Load() {
		return nil
	}
	_, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.bucket)}, b.optFns...)
	if err == nil {
		b.bucketOK.Store(true)
		return nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("bucket %q does not exist: %w", b.bucket, ErrNoBucket)
		case http.StatusForbidden:
			return fmt.Errorf("bucket %q: %w (%v)", b.bucket, ErrAccessDenied, err)
		}
	}
	return fmt.Errorf("bucket %q: %w", b.bucket, err)
}

// bodyRetryable reports whether a failed read of a response body is worth a
// new request: the connection broke (reset, unexpected EOF, a network error).
func bodyRetryable(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &ne)
}

// Get implements [zarrstore.Backend]. The SDK retries the request; a body that breaks
// off while it is read (after the SDK call returned) is fetched again, both
// within Options.MaxAttempts attempts in all.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, error) {
	if err := zarrstore.CheckKey(key); err != nil {
		return nil, err
	}
	used := 0
	for retry := 0; ; retry++ {
		data, attempts, err := b.get(ctx, key)
		used += max(attempts, 1)
		if err == nil || !bodyRetryable(err) || used >= b.opts.MaxAttempts || ctx.Err() != nil {
			if err != nil && bodyRetryable(err) {
				err = fmt.Errorf("%w (after %d attempts)", err, used)
			}
			return data, err
		}
		if werr := b.backoff(ctx, retry); werr != nil {
			return nil, werr
		}
	}
}

// backoff sleeps a full-jitter exponential delay (50 ms · 2^n, capped by
// MaxBackoff) or until ctx ends.
func (b *Backend) backoff(ctx context.Context, n int) error {
	return zretry.Sleep(ctx, zretry.Backoff{Base: 50 * time.Millisecond, Max: b.opts.MaxBackoff}.Delay(n+1))
}

// get is one GetObject (with the SDK's retries) and the read of its body; it
// also returns the SDK's attempt count.
func (b *Backend) get(ctx context.Context, key string) ([]byte, int, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil {
		return nil, b.opts.MaxAttempts, b.s3Error(ctx, "get", key, err)
	}
	attempts := 1
	if ar, ok := retry.GetAttemptResults(out.ResultMetadata); ok {
		attempts = len(ar.Results)
	}
	defer out.Body.Close()
	n := aws.ToInt64(out.ContentLength)
	if n > b.opts.MaxObjectSize {
		return nil, attempts, fmt.Errorf("get %s: object of %d bytes exceeds the limit %d", b.where(key), n, b.opts.MaxObjectSize)
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(n, 0)+bytes.MinRead))
	m, err := buf.ReadFrom(io.LimitReader(out.Body, b.opts.MaxObjectSize+1))
	if err != nil {
		return nil, attempts, fmt.Errorf("get %s: body cut after %d of %d bytes: %w", b.where(key), m, n, err)
	}
	if m > b.opts.MaxObjectSize {
		return nil, attempts, fmt.Errorf("get %s: object exceeds the limit %d bytes", b.where(key), b.opts.MaxObjectSize)
	}
	if out.ContentLength != nil && m != n {
		return nil, attempts, fmt.Errorf("get %s: read %d of %d bytes: %w", b.where(key), m, n, io.ErrUnexpectedEOF)
	}
	return buf.Bytes(), attempts, nil
}

// Put implements [zarrstore.Backend].
func (b *Backend) Put(ctx context.Context, key string, data []byte) error {
	if err := zarrstore.CheckKey(key); err != nil {
		return err
	}
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))),
	}, b.optFns...)
	if err != nil {
		return b.s3Error(ctx, "put", key, err)
	}
	return nil
}

// Exists implements [zarrstore.Backend].
func (b *Backend) Exists(ctx context.Context, key string) (bool, error) {
	if err := zarrstore.CheckKey(key); err != nil {
		return false, err
	}
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil {
		err = b.s3Error(ctx, "head", key, err)
		if errors.Is(err, zarrstore.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// Delete implements [zarrstore.Backend].
func (b *Backend) Delete(ctx context.Context, key string) error {
	if err := zarrstore.CheckKey(key); err != nil {
		return err
	}
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil {
		if err = b.s3Error(ctx, "delete", key, err); !errors.Is(err, zarrstore.ErrNotFound) {
			return err
		}
	}
	return nil
}

// List implements [zarrstore.Backend].
func (b *Backend) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := zarrstore.CheckPrefix(prefix); err != nil {
			yield("", err)
			return
		}
		p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(b.bucket), Prefix: aws.String(b.prefix + prefix),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, b.optFns...)
			if err != nil {
				yield("", b.s3Error(ctx, "list", prefix, err))
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

// ListDir implements [zarrstore.Backend].
func (b *Backend) ListDir(ctx context.Context, prefix string) (objects, dirs []string, err error) {
	if err := zarrstore.CheckPrefix(prefix); err != nil {
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
			return nil, nil, b.s3Error(ctx, "list", prefix, err)
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

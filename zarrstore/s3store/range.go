package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/zagg-go/zagg/zarrstore"
)

var _ zarrstore.RangeReader = (*Backend)(nil)

// GetRange implements [zarrstore.RangeReader] with one ranged GetObject
// (Range: bytes=off-(off+n-1), or bytes=-n for the last n bytes); the
// object's size comes from the answer's Content-Range. A range starting at
// or past the end of the object returns no bytes (S3 answers 416; the size
// then comes from a HeadObject); a suffix longer than the object returns
// all of it.
func (b *Backend) GetRange(ctx context.Context, key string, off, n int64) ([]byte, int64, error) {
	if n <= 0 || n > zarrstore.DefaultMaxObjectSize {
		return nil, 0, fmt.Errorf("%w: %d bytes of %s", zarrstore.ErrRange, n, key)
	}
	if err := zarrstore.CheckKey(key); err != nil {
		return nil, 0, err
	}
	rng := fmt.Sprintf("bytes=%d-%d", off, off+n-1)
	if off < 0 {
		rng = fmt.Sprintf("bytes=-%d", n)
	}
	var last error
	for attempt := 0; attempt < max(b.opts.MaxAttempts, 1); attempt++ {
		if attempt > 0 {
			if err := b.backoff(ctx, attempt-1); err != nil {
				return nil, 0, err
			}
		}
		data, size, err := b.getRange(ctx, key, rng, n)
		if err == nil && off < 0 && data == nil && size > 0 {
			// A suffix longer than the object: some servers answer 416
			// instead of the whole object (RFC 9110 §14.1.2).
			data, size, err = b.getRange(ctx, key, fmt.Sprintf("bytes=0-%d", size-1), n)
		}
		if err == nil || !bodyRetryable(err) || ctx.Err() != nil {
			return data, size, err
		}
		last = err
	}
	return nil, 0, last
}

func (b *Backend) getRange(ctx context.Context, key, rng string, n int64) ([]byte, int64, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key), Range: aws.String(rng),
	}, b.optFns...)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "InvalidRange" {
			h, herr := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key)}, b.optFns...)
			if herr != nil {
				return nil, 0, b.s3Error(ctx, "head", key, herr)
			}
			return nil, aws.ToInt64(h.ContentLength), nil
		}
		return nil, 0, b.s3Error(ctx, "get", key, err)
	}
	defer out.Body.Close()
	buf := bytes.NewBuffer(make([]byte, 0, min(n, aws.ToInt64(out.ContentLength))+bytes.MinRead))
	m, err := buf.ReadFrom(io.LimitReader(out.Body, n+1))
	if err != nil {
		return nil, 0, fmt.Errorf("get %s (%s): body cut after %d bytes: %w", b.where(key), rng, m, err)
	}
	if m > n {
		return nil, 0, fmt.Errorf("get %s (%s): the answer has more than the %d bytes asked for", b.where(key), rng, n)
	}
	size, ok := rangeSize(aws.ToString(out.ContentRange))
	if !ok {
		// No Content-Range: the server sent the whole object.
		size = m
		if out.ContentLength != nil && m != aws.ToInt64(out.ContentLength) {
			return nil, 0, fmt.Errorf("get %s: read %d of %d bytes: %w", b.where(key), m, aws.ToInt64(out.ContentLength), io.ErrUnexpectedEOF)
		}
	}
	if out.ContentLength != nil && m != aws.ToInt64(out.ContentLength) {
		return nil, 0, fmt.Errorf("get %s (%s): read %d of %d bytes: %w", b.where(key), rng, m, aws.ToInt64(out.ContentLength), io.ErrUnexpectedEOF)
	}
	return buf.Bytes(), size, nil
}

// rangeSize returns the object size of a Content-Range header, "bytes
// a-b/size".
func rangeSize(cr string) (int64, bool) {
	i := strings.LastIndexByte(cr, '/')
	if i < 0 || !strings.HasPrefix(cr, "bytes ") {
		return 0, false
	}
	n, err := strconv.ParseInt(cr[i+1:], 10, 64)
	return n, err == nil && n >= 0
}

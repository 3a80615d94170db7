package s3src

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zagg-go/zagg/h5read"
)

// GetObjectAPI is the part of *s3.Client that [Source] uses.
type GetObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Source reads an S3 object with ranged GetObject requests. The SDK's own
// retryer is turned off for these calls: the [h5read.File] retries transient
// failures itself (see [h5read.WithRetries]) and counts them.
type Source struct {
	client      GetObjectAPI
	bucket, key string
}

var (
	_ io.ReaderAt            = (*Source)(nil)
	_ h5read.ReaderAtContext = (*Source)(nil)
)

// NewSource returns a source for s3://bucket/key.
func NewSource(client GetObjectAPI, bucket, key string) *Source {
	return &Source{client: client, bucket: bucket, key: key}
}

// ReadAt implements io.ReaderAt with a background context.
func (s *Source) ReadAt(p []byte, off int64) (int, error) {
	return s.ReadAtContext(context.Background(), p, off)
}

// ReadAtContext reads len(p) bytes at off with one ranged GetObject.
func (s *Source) ReadAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	n, _, err := s.get(ctx, p, off)
	return n, err
}

// get is one ranged GetObject; it also returns the object size the answer
// reports (-1 if none), as an [h5read.ProbeFunc].
func (s *Source) get(ctx context.Context, p []byte, off int64) (int, int64, error) {
	if len(p) == 0 {
		return 0, -1, nil
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(s.key),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1)),
	}, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	if err != nil {
		return 0, -1, fmt.Errorf("s3://%s/%s: %w", s.bucket, s.key, err)
	}
	defer out.Body.Close()
	total := int64(-1)
	switch {
	case out.ContentRange != nil:
		if total, err = h5read.CheckContentRange(*out.ContentRange, "s3://"+s.bucket+"/"+s.key, off); err != nil {
			return 0, -1, err
		}
	case off != 0:
		// A 200 with the whole object: its first bytes are not the ones
		// asked for.
		return 0, -1, fmt.Errorf("%w: s3://%s/%s: no Content-Range in the answer to a read at offset %d (the range was ignored)", h5read.ErrBadRange, s.bucket, s.key, off)
	case out.ContentLength != nil:
		total = *out.ContentLength // the whole object, from offset 0
	}
	n, err := io.ReadFull(out.Body, p)
	if err != nil {
		return n, total, fmt.Errorf("s3://%s/%s: %w", s.bucket, s.key, err)
	}
	return n, total, nil
}

// Open opens s3://bucket/key. Its first request fetches the head of the
// object and learns the object size from the Content-Range answer, so no
// separate HEAD request is needed.
func Open(ctx context.Context, client GetObjectAPI, bucket, key string, opts ...h5read.Option) (*h5read.File, error) {
	src := NewSource(client, bucket, key)
	return h5read.OpenProbing(ctx, src, src.get, opts...)
}

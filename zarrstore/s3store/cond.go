package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/zagg-go/zagg/zarrstore"
)

var (
	_ zarrstore.Backend   = (*Backend)(nil)
	_ zarrstore.Versioned = (*Backend)(nil)
)

// GetVersion implements [zarrstore.Versioned]: the version is the object's ETag.
func (b *Backend) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	if err := zarrstore.CheckKey(key); err != nil {
		return nil, "", err
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
	}, b.optFns...)
	if err != nil {
		return nil, "", b.s3Error(ctx, "get", key, err)
	}
	defer out.Body.Close()
	// Version objects are small: bound them as metadata.
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(out.Body, zarrstore.MaxMetadataSize+1)); err != nil {
		return nil, "", fmt.Errorf("get %s: %w", b.where(key), err)
	}
	if buf.Len() > zarrstore.MaxMetadataSize {
		return nil, "", fmt.Errorf("get %s: %w: more than %d bytes", b.where(key), zarrstore.ErrTooLarge, zarrstore.MaxMetadataSize)
	}
	return buf.Bytes(), aws.ToString(out.ETag), nil
}

// PutIfVersion implements [zarrstore.Versioned] with a conditional PutObject
// (If-None-Match: * to create, If-Match: <ETag> to replace). A 412
// PreconditionFailed, or a 409 ConditionalRequestConflict from a concurrent
// conditional write, is zarrstore.ErrPrecondition.
func (b *Backend) PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error) {
	if err := zarrstore.CheckKey(key); err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(b.prefix + key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))),
	}
	if version == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(version)
	}
	out, err := b.client.PutObject(ctx, in, b.optFns...)
	if err != nil {
		var re *smithyhttp.ResponseError
		var api smithy.APIError
		code := ""
		if errors.As(err, &api) {
			code = api.ErrorCode()
		}
		if errors.As(err, &re) && (re.HTTPStatusCode() == http.StatusPreconditionFailed || re.HTTPStatusCode() == http.StatusConflict) ||
			code == "PreconditionFailed" || code == "ConditionalRequestConflict" {
			return "", fmt.Errorf("put %s: %w (%v)", b.where(key), zarrstore.ErrPrecondition, err)
		}
		if version != "" && errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
			return "", fmt.Errorf("put %s: %w: it does not exist", b.where(key), zarrstore.ErrPrecondition)
		}
		return "", b.s3Error(ctx, "put", key, err)
	}
	return aws.ToString(out.ETag), nil
}

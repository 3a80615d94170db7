package zarrstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrPrecondition means a conditional write found the object at another
// version than the one it was given (another writer got there first).
var ErrPrecondition = errors.New("zarrstore: object changed (precondition failed)")

// Versioned is a [Backend] that can read an object together with a version
// token and replace it only while it is still at that version: the
// compare-and-swap that fences concurrent writers (S3 conditional writes,
// If-None-Match and If-Match; a directory lock on a folder; a mutex in
// memory). All three backends of this package implement it.
type Versioned interface {
	Backend
	// GetVersion returns the object and its version token, or an error
	// wrapping ErrNotFound.
	GetVersion(ctx context.Context, key string) ([]byte, string, error)
	// PutIfVersion stores data at key if the object is at version, or does
	// not exist when version is "", and returns the new version; otherwise
	// it writes nothing and returns an error wrapping ErrPrecondition.
	PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error)
}

var (
	_ Versioned = (*MemBackend)(nil)
	_ Versioned = (*FSBackend)(nil)
	_ Versioned = (*S3Backend)(nil)
)

// contentVersion is the version token of the memory and folder backends:
// the SHA-256 of the object's bytes.
func contentVersion(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// GetVersion implements [Versioned].
func (b *MemBackend) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	v, err := b.Get(ctx, key)
	if err != nil {
		return nil, "", err
	}
	return v, contentVersion(v), nil
}

// PutIfVersion implements [Versioned].
func (b *MemBackend) PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.m[key]
	switch {
	case version == "" && ok:
		return "", fmt.Errorf("memory %q: %w: it exists", key, ErrPrecondition)
	case version != "" && (!ok || contentVersion(cur) != version):
		return "", fmt.Errorf("memory %q: %w", key, ErrPrecondition)
	}
	v := slices.Clone(data)
	if v == nil {
		v = []byte{}
	}
	b.m[key] = v
	return contentVersion(v), nil
}

// GetVersion implements [Versioned].
func (b *FSBackend) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	v, err := b.Get(ctx, key)
	if err != nil {
		return nil, "", err
	}
	return v, contentVersion(v), nil
}

// PutIfVersion implements [Versioned]: under an exclusive lock of the key's
// directory (flock, so other processes on the host are excluded too), it
// compares the current content's version and renames a new file into place.
func (b *FSBackend) PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error) {
	p, err := b.path(key)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dir := p[:strings.LastIndexByte(p, '/')+1]
	if err := mkdirAll(dir); err != nil {
		return "", err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return "", fmt.Errorf("%s: lock: %w", dir, err)
	}
	defer unlock()
	cur, err := b.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		if version != "" {
			return "", fmt.Errorf("%s: %w: it does not exist", p, ErrPrecondition)
		}
	case err != nil:
		return "", err
	case version == "":
		return "", fmt.Errorf("%s: %w: it exists", p, ErrPrecondition)
	case contentVersion(cur) != version:
		return "", fmt.Errorf("%s: %w", p, ErrPrecondition)
	}
	if err := b.Put(ctx, key, data); err != nil {
		return "", err
	}
	return contentVersion(data), nil
}

// GetVersion implements [Versioned]: the version is the object's ETag.
func (b *S3Backend) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	if err := checkKey(key); err != nil {
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
	if _, err := buf.ReadFrom(ioLimit(out.Body, MaxMetadataSize+1)); err != nil {
		return nil, "", fmt.Errorf("get %s: %w", b.where(key), err)
	}
	if buf.Len() > MaxMetadataSize {
		return nil, "", fmt.Errorf("get %s: %w: more than %d bytes", b.where(key), ErrTooLarge, MaxMetadataSize)
	}
	return buf.Bytes(), aws.ToString(out.ETag), nil
}

// PutIfVersion implements [Versioned] with a conditional PutObject
// (If-None-Match: * to create, If-Match: <ETag> to replace). A 412
// PreconditionFailed, or a 409 ConditionalRequestConflict from a concurrent
// conditional write, is ErrPrecondition.
func (b *S3Backend) PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error) {
	if err := checkKey(key); err != nil {
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
			return "", fmt.Errorf("put %s: %w (%v)", b.where(key), ErrPrecondition, err)
		}
		if version != "" && errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
			return "", fmt.Errorf("put %s: %w: it does not exist", b.where(key), ErrPrecondition)
		}
		return "", b.s3Error(ctx, "put", key, err)
	}
	return aws.ToString(out.ETag), nil
}

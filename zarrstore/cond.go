package zarrstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrPrecondition means a conditional write found the object at another
// version than the one it was given (another writer got there first).
var ErrPrecondition = errors.New("zarrstore: object changed (precondition failed)")

// Versioned is a [Backend] that can read an object together with a version
// token and replace it only while it is still at that version: the
// compare-and-swap that fences concurrent writers (S3 conditional writes,
// If-None-Match and If-Match; a directory lock on a folder; a mutex in
// memory). Both backends of this package implement it, and so does the S3
// backend of zarrstore/s3store.
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
	if err := CheckKey(key); err != nil {
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

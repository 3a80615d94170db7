package zarrstore

import "errors"

// Errors reported by this package. They are wrapped with context (the key,
// array path or chunk index concerned); test for them with [errors.Is].
var (
	// ErrNotFound means a key, node or chunk does not exist in the store.
	ErrNotFound = errors.New("zarrstore: not found")
	// ErrInvalidMetadata means a zarr.json document is malformed, misses a
	// required field, or has a value this package cannot accept.
	ErrInvalidMetadata = errors.New("zarrstore: invalid metadata")
	// ErrUnsupported means valid Zarr v3 metadata that uses a feature this
	// package does not implement (an unknown codec or data type, a
	// multi-dimensional array, an extension that must be understood).
	ErrUnsupported = errors.New("zarrstore: unsupported")
	// ErrCorruptChunk means a stored chunk or shard cannot be decoded: bad
	// compressed stream, checksum mismatch, wrong size, bad shard index.
	ErrCorruptChunk = errors.New("zarrstore: corrupt chunk")
	// ErrDataType means the Go slice passed in or asked for does not match the
	// array's data type, or has the wrong length for one chunk.
	ErrDataType = errors.New("zarrstore: data type mismatch")
	// ErrChunkIndex means a chunk index outside the array's chunk grid.
	ErrChunkIndex = errors.New("zarrstore: chunk index out of range")
	// ErrInvalidKey means a store key that is empty, absolute, or contains
	// "." or ".." segments.
	ErrInvalidKey = errors.New("zarrstore: invalid key")
	// ErrLayoutMismatch means Setup found an existing store whose metadata
	// differs from the layout asked for (for example another latitude
	// convention or statistic set). Runs never mix layouts.
	ErrLayoutMismatch = errors.New("zarrstore: store exists with a different layout")
	// ErrInvalidLayout means a Layout or Grid with out-of-range or
	// inconsistent parameters.
	ErrInvalidLayout = errors.New("zarrstore: invalid layout")
)

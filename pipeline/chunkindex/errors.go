package chunkindex

import "errors"

// Sentinel errors. Errors of this package wrap one of them (test with
// errors.Is).
var (
	// ErrFormat means encoded index bytes are malformed: bad magic,
	// truncated, a checksum mismatch, or a field out of range.
	ErrFormat = errors.New("chunkindex: malformed index")
	// ErrVersion means the index was encoded by an unknown format version.
	ErrVersion = errors.New("chunkindex: unknown index version")
	// ErrStale means the index does not describe the granule it is used
	// with: another size or head digest, or a dataset that changed.
	ErrStale = errors.New("chunkindex: index does not match the granule")
	// ErrMismatch means the index was built for another parent order,
	// latitude convention or set of datasets than the reader's.
	ErrMismatch = errors.New("chunkindex: index built for another configuration")
	// ErrNotFound means no index is stored for a granule.
	ErrNotFound = errors.New("chunkindex: no index stored")
	// ErrSpec means a Spec is invalid (no groups, no coordinates, an order
	// out of range) or a dataset cannot be indexed (not one-dimensional).
	ErrSpec = errors.New("chunkindex: invalid spec")
)

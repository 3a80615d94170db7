package cellmap

import "errors"

// Sentinel errors. Errors of this package wrap one of them (test with
// errors.Is).
var (
	// ErrFormat means the bytes of a cell-map object are malformed: bad
	// magic, truncated, a checksum mismatch, a field out of range.
	ErrFormat = errors.New("cellmap: malformed cell map")
	// ErrVersion means the object was written by an unknown format version.
	ErrVersion = errors.New("cellmap: unknown cell map version")
	// ErrNotFound means no cell map is stored for a granule.
	ErrNotFound = errors.New("cellmap: no cell map stored")
	// ErrLimit means a cell holds more points than the caller allows (its
	// memory budget).
	ErrLimit = errors.New("cellmap: cell larger than allowed")
	// ErrSpec means what was given to encode or store is invalid: cells not
	// in ascending order, columns of the wrong type or length, a granule
	// URL that names no file.
	ErrSpec = errors.New("cellmap: invalid input")
)

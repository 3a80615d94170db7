package h5read

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of these
// (test with [errors.Is]); most are wrapped in a [*FormatError] that names the
// object and the file offset where the problem was found (use [errors.As]).
var (
	// ErrNotHDF5 means no HDF5 superblock signature was found.
	ErrNotHDF5 = errors.New("h5read: not an HDF5 file")
	// ErrCorrupt means a structure is truncated, inconsistent or points
	// outside the file.
	ErrCorrupt = errors.New("h5read: corrupt HDF5 structure")
	// ErrChecksum means a stored checksum (lookup3 metadata checksum,
	// Fletcher-32 chunk checksum or the Adler-32 of a deflate stream) does not
	// match the data.
	ErrChecksum = errors.New("h5read: checksum mismatch")
	// ErrUnsupported means the file uses a valid HDF5 feature this reader does
	// not implement (for example a compound datatype or a virtual dataset).
	ErrUnsupported = errors.New("h5read: unsupported HDF5 feature")
	// ErrUnsupportedFilter means a dataset uses a filter other than deflate,
	// shuffle and fletcher32. The error is an [*UnsupportedFilterError] that
	// names the filter; it also matches ErrUnsupported.
	ErrUnsupportedFilter = errors.New("h5read: unsupported filter")
	// ErrNotFound means a path does not name an object in the file.
	ErrNotFound = errors.New("h5read: object not found")
	// ErrNotDataset means a path names a group, not a dataset (or the reverse
	// for [File.Group]).
	ErrNotDataset = errors.New("h5read: not a dataset")
	// ErrTooLarge means a size declared in the file exceeds the file size or a
	// configured limit, so it was not allocated.
	ErrTooLarge = errors.New("h5read: declared size too large")
	// ErrSelection means a hyperslab (start, count) does not fit the
	// dataset's shape or the destination slice has the wrong length.
	ErrSelection = errors.New("h5read: invalid selection")
	// ErrType means the dataset's datatype cannot be converted to the
	// requested Go type without loss of range or kind (e.g. float into int).
	ErrType = errors.New("h5read: datatype not convertible")
	// ErrClosed means the File was closed.
	ErrClosed = errors.New("h5read: file closed")
)

// FormatError describes a problem with a structure in the file: which object
// (a path or a structure name such as "fractal heap direct block") and the
// absolute file offset of the structure or field.
type FormatError struct {
	Object string // path or structure, e.g. "/gt1l/land_ice_segments/h_li: layout message"
	Offset int64  // absolute file offset, -1 if unknown
	Msg    string // what is wrong
	Err    error  // one of the Err… sentinels
}

// Error formats the sentinel, object, offset and message.
func (e *FormatError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%v: %s at offset %d: %s", e.Err, e.Object, e.Offset, e.Msg)
	}
	return fmt.Sprintf("%v: %s: %s", e.Err, e.Object, e.Msg)
}

// Unwrap returns the sentinel.
func (e *FormatError) Unwrap() error { return e.Err }

func errf(sentinel error, object string, off int64, format string, args ...any) error {
	return &FormatError{Object: object, Offset: off, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// UnsupportedFilterError names a filter this reader cannot undo. It matches
// both [ErrUnsupportedFilter] and [ErrUnsupported].
type UnsupportedFilterError struct {
	Dataset string // dataset path
	ID      uint16 // HDF5 filter id, e.g. 4 for szip, 32001 for blosc
	Name    string // filter name stored in the file (may be empty)
}

// Error names the dataset and the filter.
func (e *UnsupportedFilterError) Error() string {
	name := e.Name
	if name == "" {
		name = filterName(e.ID)
	}
	return fmt.Sprintf("h5read: %s: unsupported filter %d (%s)", e.Dataset, e.ID, name)
}

// Is reports whether target is ErrUnsupportedFilter or ErrUnsupported.
func (e *UnsupportedFilterError) Is(target error) bool {
	return target == ErrUnsupportedFilter || target == ErrUnsupported
}

// wrapObj prefixes err with an object name, keeping the chain.
func wrapObj(object string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", object, err)
}

// Package s3src reads HDF5 files stored in S3 with h5read, over ranged
// GetObject requests (aws-sdk-go-v2).
//
// It lives apart from h5read so that the format reader imports no AWS SDK:
// h5read reads any [io.ReaderAt] and reads HTTPS URLs with net/http
// ([h5read.HTTPSource]); this package adds the S3 source. [Open] returns an
// [*h5read.File] whose first request fetches the head of the object and
// learns its size from the Content-Range answer (no HEAD request). Errors of
// the range checks wrap [h5read.ErrBadRange]; retries are those of the File
// ([h5read.WithRetries]), the SDK's own retryer is turned off for these
// calls.
package s3src

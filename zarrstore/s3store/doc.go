// Package s3store is the S3 backend of zarrstore (aws-sdk-go-v2).
//
// It lives apart from zarrstore so that the store format package imports no
// AWS SDK. [Backend] implements [zarrstore.Backend] and
// [zarrstore.Versioned]: every Put is one PutObject of a seekable in-memory
// body (atomic, and idempotent when retried); conditional writes use
// If-None-Match and If-Match; checksum modes are configurable; 5xx answers,
// 503 SlowDown, 429 and dropped connections are retried with exponential
// backoff and jitter ([Options]). Errors wrap [zarrstore.ErrNotFound] for a
// missing object, [ErrNoBucket] for a missing bucket and [ErrAccessDenied]
// for refused credentials.
//
// Open a store at an "s3://bucket/prefix" location with
// zarrstore.Open(location, s3store.WithClient(client, opts)); the option
// leaves folders and "memory:" to zarrstore, so callers that accept any
// location pass it unconditionally. [New] builds a Backend directly.
//
// # Testing against other S3 servers
//
// The S3 tests run against an in-process gofakes3 server on loopback. To run
// the same tests against another S3-compatible server, point
// ZAGG_TEST_S3_ENDPOINT at it (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and optionally AWS_REGION), e.g. versitygw:
//
//	ROOT_ACCESS_KEY=k ROOT_SECRET_KEY=s versitygw --port 127.0.0.1:7070 --iam-dir /tmp/iam posix /tmp/s3data &
//	ZAGG_TEST_S3_ENDPOINT=http://127.0.0.1:7070 AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s \
//	    go test -run S3 ./zarrstore/...
//
// Fault-injection tests are skipped there.
package s3store

// Package s3test runs a real S3-protocol server on loopback for tests and
// builds aws-sdk-go-v2 clients that talk to it.
//
// The server is gofakes3 with its in-memory backend, served by net/http/httptest
// on 127.0.0.1, so tests exercise the real SDK, real HTTP, real signing and
// real ranged GETs; nothing is mocked. A middleware counts requests and bytes
// and can inject faults (status codes, dropped connections) to test retries.
//
// To run the same tests against another S3-compatible server (versitygw, a
// real bucket), set ZAGG_TEST_S3_ENDPOINT to its URL and
// ZAGG_TEST_S3_ACCESS_KEY, ZAGG_TEST_S3_SECRET_KEY and ZAGG_TEST_S3_REGION to
// the credentials and region it checks (scripts/ci.d/s3-versitygw.sh does);
// [New] then creates the buckets there instead. Tests take the credentials
// from the [Server] (never hard-coded: the in-process server checks no
// signatures, a real one does) and write under [Prefix] keys, so tests and
// packages sharing one external server do not collide. Request counting and
// fault injection only work in-process: [Server.Inject] skips the test on an
// external server.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Environment variables that point the tests at an external S3-compatible
// server instead of the in-process one.
const (
	// EnvEndpoint is the server's URL, e.g. "http://127.0.0.1:7070".
	EnvEndpoint = "ZAGG_TEST_S3_ENDPOINT"
	// EnvAccessKey and EnvSecretKey are the credentials the server checks
	// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are used when unset).
	EnvAccessKey = "ZAGG_TEST_S3_ACCESS_KEY"
	EnvSecretKey = "ZAGG_TEST_S3_SECRET_KEY"
	// EnvRegion is the region the server enforces (AWS_REGION when unset,
	// then us-east-1).
	EnvRegion = "ZAGG_TEST_S3_REGION"
)

// Server is a loopback S3 server with a client configured for it.
type Server struct {
	// URL is the endpoint, e.g. "http://127.0.0.1:40123".
	URL string
	// Client is an S3 client with path-style addressing and the server's
	// credentials and region that talks to URL.
	Client *s3.Client
	// AccessKey, SecretKey and Region are what the server accepts: static
	// credentials without a session token.
	AccessKey, SecretKey, Region string

	external bool
	srv      *httptest.Server

	requests  atomic.Int64
	gets      atomic.Int64
	bytesSent atomic.Int64

	mu     sync.Mutex
	faults []Fault
}

// Fault is an injected failure for the next request that matches.
type Fault struct {
	// Method and PathSuffix select requests ("" matches any).
	Method     string
	PathSuffix string
	// Status is the HTTP status to answer with (e.g. 503). A fault with no
	// Status, Drop, CutBody, IgnoreRange or Hang is ignored.
	Status int
	// Drop closes the connection without an answer (a connection reset).
	Drop bool
	// CutBody lets the request through but sends only the first CutAfter
	// bytes of the answer's body (with the full Content-Length) and then
	// closes the connection: a body cut mid-way.
	CutBody  bool
	CutAfter int
	// IgnoreRange lets the request through without its Range header, so the
	// server answers 200 with the whole object and no Content-Range (a
	// proxy or server that ignores ranges).
	IgnoreRange bool
	// Hang holds the request without an answer until the client goes away
	// (its connection closes or its context ends): a caller that times out.
	// OnHang, if set, is called as the hang begins.
	Hang   bool
	OnHang func()
	// Times is how many matching requests fail; 0 means 1.
	Times int
}

// New starts a server (or connects to the one named by ZAGG_TEST_S3_ENDPOINT),
// creates the buckets, and stops the server when the test ends.
func New(tb testing.TB, buckets ...string) *Server {
	tb.Helper()
	s := &Server{}
	if ep := os.Getenv(EnvEndpoint); ep != "" {
		s.URL = strings.TrimRight(ep, "/")
		s.external = true
		s.AccessKey = envOr(EnvAccessKey, os.Getenv("AWS_ACCESS_KEY_ID"))
		s.SecretKey = envOr(EnvSecretKey, os.Getenv("AWS_SECRET_ACCESS_KEY"))
		s.Region = envOr(EnvRegion, envOr("AWS_REGION", "us-east-1"))
		if s.AccessKey == "" || s.SecretKey == "" {
			tb.Fatalf("s3test: %s is set but %s/%s are not", EnvEndpoint, EnvAccessKey, EnvSecretKey)
		}
	} else {
		faker := gofakes3.New(s3mem.New(), gofakes3.WithIntegrityCheck(true))
		s.srv = httptest.NewServer(s.middleware(faker.Server()))
		s.URL = s.srv.URL
		s.AccessKey, s.SecretKey, s.Region = "in-process-key", "in-process-secret", "us-east-1"
		tb.Cleanup(s.srv.Close)
	}
	s.Client = NewClient(s.URL, s.Region, s.AccessKey, s.SecretKey)
	for _, b := range buckets {
		_, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)})
		var owned *types.BucketAlreadyOwnedByYou
		var exists *types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			tb.Fatalf("s3test: create bucket %q: %v", b, err)
		}
	}
	return s
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Credentials returns the server's credentials as a worker event's
// s3_credentials (accessKeyId, secretAccessKey; no session token, which a
// server without STS rejects).
func (s *Server) Credentials() map[string]string {
	return map[string]string{"accessKeyId": s.AccessKey, "secretAccessKey": s.SecretKey}
}

// SetEnv points the AWS SDK's default configuration of the calling test at
// the server's credentials and region (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_REGION; AWS_SESSION_TOKEN and AWS_PROFILE are
// cleared), for commands that load the default configuration.
func (s *Server) SetEnv(tb testing.TB) {
	tb.Helper()
	tb.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	tb.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	tb.Setenv("AWS_REGION", s.Region)
	tb.Setenv("AWS_SESSION_TOKEN", "")
	tb.Setenv("AWS_PROFILE", "")
}

var (
	runID     = newRunID()
	prefixSeq atomic.Int64
	unsafeKey = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

func newRunID() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return strconv.Itoa(os.Getpid())
	}
	return hex.EncodeToString(b)
}

// Prefix returns a key prefix (no leading or trailing slash) unique to the
// calling test in this process and to this process among others sharing an
// external server: the test's name, a random run id and a counter.
func Prefix(tb testing.TB) string {
	name := strings.Trim(unsafeKey.ReplaceAllString(tb.Name(), "-"), "-.")
	if len(name) > 60 {
		name = name[:60]
	}
	return fmt.Sprintf("t/%s-%s-%d", name, runID, prefixSeq.Add(1))
}

// NewClient returns an S3 client for an S3-compatible endpoint with static
// credentials, path-style addressing, and checksums only where required (so
// servers that do not speak the newer trailing checksums work).
func NewClient(endpoint, region, key, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     region,
		Credentials:                credentials.NewStaticCredentialsProvider(key, secret, ""),
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// External reports whether the server is an external one (no counters, no faults).
func (s *Server) External() bool { return s.external }

// Stats is a snapshot of the traffic the in-process server has seen.
type Stats struct {
	Requests  int64 // all HTTP requests
	Gets      int64 // GET requests
	BytesSent int64 // response body bytes written
}

// Stats returns the counters since the server started or the last Reset.
func (s *Server) Stats() Stats {
	return Stats{Requests: s.requests.Load(), Gets: s.gets.Load(), BytesSent: s.bytesSent.Load()}
}

// Reset zeroes the counters.
func (s *Server) Reset() {
	s.requests.Store(0)
	s.gets.Store(0)
	s.bytesSent.Store(0)
}

// RequireInProcess skips the calling test on an external server (for tests
// that count requests or inject faults).
func (s *Server) RequireInProcess(tb testing.TB) {
	tb.Helper()
	if s.external {
		tb.Skip("s3test: needs the in-process server (fault injection or request counts)")
	}
}

// Inject queues faults; each matching request consumes one. On an external
// server, where faults cannot be injected, it skips the calling test.
func (s *Server) Inject(tb testing.TB, faults ...Fault) {
	tb.Helper()
	s.RequireInProcess(tb)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults {
		if f.Times <= 0 {
			f.Times = 1
		}
		s.faults = append(s.faults, f)
	}
}

// Put stores an object, failing the test on error.
func (s *Server) Put(tb testing.TB, bucket, key string, body []byte) {
	tb.Helper()
	_, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(string(body)),
	})
	if err != nil {
		tb.Fatalf("s3test: put s3://%s/%s: %v", bucket, key, err)
	}
}

func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		f := &s.faults[i]
		if (f.Method == "" || f.Method == r.Method) && strings.HasSuffix(r.URL.Path, f.PathSuffix) {
			out := *f
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return out, true
		}
	}
	return Fault{}, false
}

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Method == http.MethodGet {
			s.gets.Add(1)
		}
		if f, ok := s.takeFault(r); ok {
			if f.Hang {
				if f.OnHang != nil {
					f.OnHang()
				}
				<-r.Context().Done()
				return
			}
			if f.Drop {
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
						return
					}
				}
			}
			if f.Status != 0 {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(f.Status)
				fmt.Fprintf(w, "<Error><Code>%s</Code><Message>injected by s3test</Message></Error>", faultCode(f.Status))
				return
			}
			if f.IgnoreRange {
				r.Header.Del("Range")
			}
			if f.CutBody {
				s.cutBody(w, r, next, f.CutAfter)
				return
			}
		}
		next.ServeHTTP(&countingWriter{ResponseWriter: w, n: &s.bytesSent}, r)
	})
}

// cutBody serves r into a buffer, then sends the real headers (full
// Content-Length) and only the first n body bytes, and closes the connection.
func (s *Server) cutBody(w http.ResponseWriter, r *http.Request, next http.Handler, n int) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body[:min(n, len(body))])
	s.bytesSent.Add(int64(min(n, len(body))))
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

func faultCode(status int) string {
	switch status {
	case http.StatusServiceUnavailable:
		return "SlowDown"
	case http.StatusInternalServerError:
		return "InternalError"
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	}
	return "Injected"
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Package s3test runs a real S3-protocol server on loopback for tests and
// builds aws-sdk-go-v2 clients that talk to it.
//
// The server is gofakes3 with its in-memory backend, served by net/http/httptest
// on 127.0.0.1, so tests exercise the real SDK, real HTTP, real signing and
// real ranged GETs; nothing is mocked. A middleware counts requests and bytes
// and can inject faults (status codes, dropped connections) to test retries.
//
// To run the same tests against another S3-compatible server (MinIO, a real
// bucket), set ZAGG_TEST_S3_ENDPOINT to its URL (and AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, optionally AWS_REGION); [New] then creates the buckets
// there instead. Request counting and fault injection only work in-process.
package s3test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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

// EnvEndpoint names the environment variable that points the tests at an
// external S3-compatible server instead of the in-process one.
const EnvEndpoint = "ZAGG_TEST_S3_ENDPOINT"

// Server is a loopback S3 server with a client configured for it.
type Server struct {
	// URL is the endpoint, e.g. "http://127.0.0.1:40123".
	URL string
	// Client is an S3 client with path-style addressing, static test
	// credentials and region us-east-1 that talks to URL.
	Client *s3.Client

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
	// Status is the HTTP status to answer with (e.g. 503). If zero and Drop is
	// false the fault is ignored.
	Status int
	// Drop closes the connection without an answer (a connection reset).
	Drop bool
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
		key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		region := os.Getenv("AWS_REGION")
		if region == "" {
			region = "us-east-1"
		}
		s.Client = NewClient(s.URL, region, key, secret)
	} else {
		faker := gofakes3.New(s3mem.New(), gofakes3.WithIntegrityCheck(true))
		s.srv = httptest.NewServer(s.middleware(faker.Server()))
		s.URL = s.srv.URL
		s.Client = NewClient(s.URL, "us-east-1", "test-key", "test-secret")
		tb.Cleanup(s.srv.Close)
	}
	for _, b := range buckets {
		_, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)})
		var owned *types.BucketAlreadyOwnedByYou
		if err != nil && !errors.As(err, &owned) {
			tb.Fatalf("s3test: create bucket %q: %v", b, err)
		}
	}
	return s
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

// Inject queues faults; each matching request consumes one. It panics on an
// external server, where faults cannot be injected.
func (s *Server) Inject(faults ...Fault) {
	if s.external {
		panic("s3test: Inject on an external server")
	}
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
		}
		next.ServeHTTP(&countingWriter{ResponseWriter: w, n: &s.bytesSent}, r)
	})
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

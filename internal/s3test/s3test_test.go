package s3test

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestRangedGetAndCounters(t *testing.T) {
	s := New(t, "bkt")
	s.Put(t, "bkt", "dir/obj", []byte("0123456789"))
	s.Reset()
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String("bkt"), Key: aws.String("dir/obj"), Range: aws.String("bytes=2-5"),
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "2345" {
		t.Fatalf("ranged get = %q, want %q", b, "2345")
	}
	if s.External() {
		return
	}
	if st := s.Stats(); st.Gets != 1 || st.BytesSent != 4 {
		t.Errorf("stats = %+v, want 1 GET and 4 bytes", st)
	}
}

func TestInjectedFaultIsRetriedBySDK(t *testing.T) {
	s := New(t, "bkt")
	if s.External() {
		t.Skip("fault injection needs the in-process server")
	}
	s.Put(t, "bkt", "k", []byte("x"))
	s.Reset()
	s.Inject(Fault{Method: "GET", Status: 503})
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("get after one 503: %v", err)
	}
	out.Body.Close()
	if st := s.Stats(); st.Gets != 2 {
		t.Errorf("GETs = %d, want 2 (one 503, one retry)", st.Gets)
	}
}

package s3test

import (
	"context"
	"io"
	"strings"
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
	s.Inject(t, Fault{Method: "GET", Status: 503})
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("get after one 503: %v", err)
	}
	out.Body.Close()
	if st := s.Stats(); st.Gets != 2 {
		t.Errorf("GETs = %d, want 2 (one 503, one retry)", st.Gets)
	}
}

func TestCutBodyAndIgnoreRange(t *testing.T) {
	s := New(t, "bkt")
	s.Put(t, "bkt", "k", []byte("0123456789"))
	s.Inject(t, Fault{Method: "GET", CutBody: true, CutAfter: 4})
	// No SDK retries: the cut must reach the reader.
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")},
		func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	if err != nil {
		t.Fatalf("get with a cut body: the headers should arrive: %v", err)
	}
	b, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err == nil || string(b) != "0123" {
		t.Errorf("cut body read %q, %v; want \"0123\" and an error", b, err)
	}

	s.Inject(t, Fault{Method: "GET", IgnoreRange: true})
	out, err = s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Range: aws.String("bytes=2-5")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "0123456789" || out.ContentRange != nil {
		t.Errorf("range ignored: got %q, Content-Range %v; want the whole object and none", b, out.ContentRange)
	}
}

func TestPrefixUnique(t *testing.T) {
	a, b := Prefix(t), Prefix(t)
	if a == b || !strings.HasPrefix(a, "t/TestPrefixUnique-") || strings.ContainsAny(a, " /\\") && strings.Count(a, "/") != 1 {
		t.Errorf("Prefix = %q, %q", a, b)
	}
}

func TestHang(t *testing.T) {
	s := New(t, "bkt")
	s.Put(t, "bkt", "k", []byte("x"))
	hung := make(chan struct{})
	s.Inject(t, Fault{Method: "GET", Hang: true, OnHang: func() { close(hung) }})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
		errc <- err
	}()
	<-hung
	cancel() // the caller gives up: the server lets go
	if err := <-errc; err == nil {
		t.Error("a hung GET returned without an error")
	}
}

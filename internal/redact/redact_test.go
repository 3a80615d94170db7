package redact

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://user:pa55@host.example/a/b.h5", "https://REDACTED@host.example/a/b.h5"},
		{"https://tokenonly@host/x", "https://REDACTED@host/x"},
		{"https://host/x.h5?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc123&x-id=GetObject",
			"https://host/x.h5?X-Amz-Algorithm=AWS4&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x-id=GetObject"},
		{"https://h/p?X-Amz-Security-Token=zz#frag", "https://h/p?X-Amz-Security-Token=REDACTED#frag"},
		{"https://h/p?Signature=s&Expires=1&Key-Pair-Id=k&Policy=p", "https://h/p?Signature=REDACTED&Expires=1&Key-Pair-Id=REDACTED&Policy=REDACTED"},
		{"https://h/p?my%5Ftoken=s", "https://h/p?my%5Ftoken=REDACTED"},
		{"https://u:p@h:443?sig=1", "https://REDACTED@h:443?sig=REDACTED"},
		{"https://h/p?flag&sig", "https://h/p?flag&sig"}, // no values
		{"s3://bucket/key/ATL06.h5", "s3://bucket/key/ATL06.h5"},
		{"https://h/a@b", "https://h/a@b"}, // @ in the path is not userinfo
		{"/local/path.h5", "/local/path.h5"},
		{"not a url", "not a url"},
		{"", ""},
	} {
		if got := URL(tc.in); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`Get "https://u:secret@h/x?X-Amz-Signature=f00": dial tcp: refused`,
			`Get "https://REDACTED@h/x?X-Amz-Signature=REDACTED": dial tcp: refused`},
		{"granule https://a:b@h/1 and s3://b/k and http://c:d@i/2?token=t",
			"granule https://REDACTED@h/1 and s3://b/k and http://REDACTED@i/2?token=REDACTED"},
		{"(https://u:p@h)", "(https://REDACTED@h)"},
		{"odd :// text", "odd :// text"},
		{"1://x", "1://x"},
		{"no urls here", "no urls here"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestError(t *testing.T) {
	if Error(nil) != nil {
		t.Fatal("Error(nil) != nil")
	}
	plain := errors.New("nothing to hide")
	if Error(plain) != plain {
		t.Error("an error without URL credentials was wrapped")
	}
	err := fmt.Errorf("open https://me:hunter2@host/g.h5: %w", fs.ErrNotExist)
	red := Error(err)
	if strings.Contains(red.Error(), "hunter2") || !strings.Contains(red.Error(), "https://REDACTED@host/g.h5") {
		t.Errorf("Error = %q", red)
	}
	if !errors.Is(red, fs.ErrNotExist) {
		t.Error("redacted error lost its chain")
	}
}

func FuzzText(f *testing.F) {
	f.Add("https://u:p@h/x?X-Amz-Signature=1")
	f.Add("a://@?&=#")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if again := Text(out); again != out {
			t.Fatalf("Text is not idempotent: %q -> %q -> %q", s, out, again)
		}
		if !strings.Contains(s, "://") && out != s {
			t.Fatalf("Text changed a message without a URL: %q -> %q", s, out)
		}
	})
}

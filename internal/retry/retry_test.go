package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

type statusErr int

func (e statusErr) Error() string       { return fmt.Sprintf("HTTP %d", int(e)) }
func (e statusErr) HTTPStatusCode() int { return int(e) }

func TestTransient(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"503", statusErr(503), true},
		{"500 wrapped", fmt.Errorf("put: %w", statusErr(500)), true},
		{"429", statusErr(429), true},
		{"403", statusErr(403), false},
		{"404", statusErr(404), false},
		{"400", statusErr(400), false},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"refused", syscall.ECONNREFUSED, true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"net error", &net.OpError{Op: "dial", Err: errors.New("x")}, true},
		{"canceled", context.Canceled, false},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), false},
		{"plain", errors.New("bad data"), false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("%s: Transient = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	one := func() float64 { return 0.999999 }
	b := Backoff{Base: time.Second, Max: 5 * time.Second, Rand: one}
	for n, want := range map[int]time.Duration{0: 0, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 30: 5 * time.Second} {
		if got := b.Delay(n); got < want*99/100 || got > want {
			t.Errorf("Delay(%d) = %v, want ≈ %v", n, got, want)
		}
	}
	half := Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return 0.5 }}
	if got := half.Delay(3); got != 2*time.Second {
		t.Errorf("full jitter at 0.5: Delay(3) = %v, want 2s", got)
	}
	if got := (Backoff{Base: time.Millisecond}).Delay(40); got < 0 {
		t.Errorf("uncapped Delay(40) = %v", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"2": 2 * time.Second, " 3 ": 3 * time.Second, "0.25": 250 * time.Millisecond, "": 0, "soon": 0, "-1": 0, "NaN": 0,
		"7200": time.Hour, "1e300": time.Hour,
		now.Add(7 * time.Second).Format(http.TimeFormat):  7 * time.Second,
		now.Add(-7 * time.Second).Format(http.TimeFormat): 0,
		now.Add(48 * time.Hour).Format(http.TimeFormat):   time.Hour,
	} {
		if got := ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestSleepCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
}

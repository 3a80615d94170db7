package zarrstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

// TestVersionedBackends checks the compare-and-swap of every backend (and,
// with ZAGG_TEST_S3_ENDPOINT, of an external S3 server): create only if
// absent, replace only at the version read, and of many concurrent writers
// racing from one version exactly one wins.
func TestVersionedBackends(t *testing.T) {
	ctx := context.Background()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			v := b.(zarrstore.Versioned)
			const key = "zagg-cells/6/1"
			if _, _, err := v.GetVersion(ctx, key); !errors.Is(err, zarrstore.ErrNotFound) {
				t.Fatalf("GetVersion(missing) = %v, want ErrNotFound", err)
			}
			if _, err := v.PutIfVersion(ctx, key, []byte("a"), "nope"); !errors.Is(err, zarrstore.ErrPrecondition) {
				t.Errorf("replace of a missing object = %v, want ErrPrecondition", err)
			}
			v1, err := v.PutIfVersion(ctx, key, []byte("one"), "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.PutIfVersion(ctx, key, []byte("two"), ""); !errors.Is(err, zarrstore.ErrPrecondition) {
				t.Errorf("create over an existing object = %v, want ErrPrecondition", err)
			}
			data, got, err := v.GetVersion(ctx, key)
			if err != nil || string(data) != "one" || got != v1 {
				t.Fatalf("GetVersion = %q %q %v, want one %q", data, got, err, v1)
			}
			v2, err := v.PutIfVersion(ctx, key, []byte("two"), v1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.PutIfVersion(ctx, key, []byte("three"), v1); !errors.Is(err, zarrstore.ErrPrecondition) {
				t.Errorf("replace at a stale version = %v, want ErrPrecondition", err)
			}
			// Many writers from the same version: one wins.
			const n = 8
			var wg sync.WaitGroup
			wins := make(chan string, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := []byte{'w', byte('0' + i)}
					if _, err := v.PutIfVersion(ctx, key, body, v2); err == nil {
						wins <- string(body)
					} else if !errors.Is(err, zarrstore.ErrPrecondition) {
						t.Errorf("writer %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			close(wins)
			var winners []string
			for w := range wins {
				winners = append(winners, w)
			}
			if len(winners) != 1 {
				t.Fatalf("%d writers won from one version: %v", len(winners), winners)
			}
			if data, _, _ := v.GetVersion(ctx, key); string(data) != winners[0] {
				t.Errorf("stored %q, the winner wrote %q", data, winners[0])
			}
		})
	}
}

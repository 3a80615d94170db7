package pipeline

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

func TestDefaultBudget(t *testing.T) {
	meminfo := []byte("MemTotal:        8000000 kB\nMemFree:  100 kB\n")
	files := func(m map[string][]byte) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if b, ok := m[name]; ok {
				return b, nil
			}
			return nil, fs.ErrNotExist
		}
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name  string
		env   string
		files map[string][]byte
		want  int64
	}{
		{"lambda", "2048", map[string][]byte{"/proc/meminfo": meminfo}, 1536 << 20},
		{"lambda-bad", "lots", map[string][]byte{"/proc/meminfo": meminfo}, 8000000 << 10 / 2},
		{"meminfo", "", map[string][]byte{"/proc/meminfo": meminfo}, 8000000 << 10 / 2},
		{"cgroup-lower", "", map[string][]byte{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": []byte("1073741824\n")}, 512 << 20},
		{"cgroup-max", "", map[string][]byte{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": []byte("max\n")}, 8000000 << 10 / 2},
		{"nothing", "", nil, 4 << 30},
		{"garbage", "", map[string][]byte{"/proc/meminfo": []byte("MemTotal: x kB")}, 4 << 30},
		{"tiny", "", map[string][]byte{"/proc/meminfo": []byte("MemTotal: 1000 kB")}, MinMemoryBudget},
	} {
		if got := defaultBudget(env(tc.env), files(tc.files)); got != tc.want {
			t.Errorf("%s: defaultBudget = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestBudgetErrorIs(t *testing.T) {
	e := &BudgetError{Dataset: "/d", Rows: 10, ElemSize: 8, Step: "reading", Need: 100, Allowed: 10, Budget: 40, Share: 4}
	if !errors.Is(e, ErrMemoryBudget) || !errors.Is(e, dispatch.ErrDeterministic) || errors.Is(e, dispatch.ErrTransient) {
		t.Error("BudgetError matches the wrong sentinels")
	}
	if satMul(1<<62, 4) != 1<<63-1 || satAdd(1<<63-1, 1) != 1<<63-1 || satMul(-1, 5) != 0 {
		t.Error("saturating arithmetic wraps")
	}
}

// TestKeptPointsBudget: the points a cell keeps may take half of its
// budget; past that the read fails with ErrMemoryBudget (the limit is
// lowered so that ok.h5's 300 points reach it).
func TestKeptPointsBudget(t *testing.T) {
	defer func(m int64) { minBudget = m }(minBudget)
	minBudget = 1
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd := NewCellReader(cfg, a.Columns(), DirOpener("testdata/hostile"))
	parent := morton.FromNest(6, 37036)
	granule := []string{"s3://bucket/ok.h5"}
	rd.MemoryBudget = 1 << 20
	pts, _, err := rd.ReadCell(context.Background(), parent, granule)
	if err != nil || pts.Len() != 300 {
		t.Fatalf("under 1 MiB: %v", err)
	}
	// Half of the budget holds fewer than the 300 points, while each
	// beam's reads (50 rows) still fit.
	pb := 8 * int64(1+len(a.Columns()))
	rd.MemoryBudget = 2 * 200 * pb
	_, _, err = rd.ReadCell(context.Background(), parent, granule)
	var be *BudgetError
	if !errors.Is(err, ErrMemoryBudget) || errors.As(err, &be) || !strings.Contains(err.Error(), "points already take") {
		t.Fatalf("kept points over half the budget: err = %v", err)
	}
}

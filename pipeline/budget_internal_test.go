package pipeline

import (
	"errors"
	"io/fs"
	"testing"
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
	if !errors.Is(e, ErrMemoryBudget) || !errors.Is(e, ErrDeterministic) || errors.Is(e, ErrTransient) {
		t.Error("BudgetError matches the wrong sentinels")
	}
	if satMul(1<<62, 4) != 1<<63-1 || satAdd(1<<63-1, 1) != 1<<63-1 || satMul(-1, 5) != 0 {
		t.Error("saturating arithmetic wraps")
	}
}

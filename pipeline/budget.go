package pipeline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/internal/humanize"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// ErrMemoryBudget means a granule declares more data than the memory budget
// of a cell allows (see CellReader.MemoryBudget): its datasets are not read.
// The failure is deterministic (never retried); the error names the
// granule, the dataset and the declared size.
var ErrMemoryBudget = errors.New("pipeline: memory budget exceeded")

// MinMemoryBudget is the smallest memory budget of one cell a Runner or a
// CellReader accepts.
const MinMemoryBudget = 32 << 20

// DefaultMemoryBudget returns the bytes the cells of one process may use at
// once when no budget is set: three quarters of the Lambda function's memory
// when AWS_LAMBDA_FUNCTION_MEMORY_SIZE is set, else half of the machine's
// memory (MemTotal of /proc/meminfo, or the cgroup v2 limit of the process
// when that is lower), else 4 GiB when neither can be read.
func DefaultMemoryBudget() int64 {
	return defaultBudget(os.Getenv, readSmall)
}

// defaultBudget is DefaultMemoryBudget with the environment and file reads
// injected (tests).
func defaultBudget(getenv func(string) string, read func(string) ([]byte, error)) int64 {
	if v := getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"); v != "" {
		if mb, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && mb > 0 && mb <= 1<<20 {
			return mb << 20 * 3 / 4
		}
	}
	total := int64(-1)
	if b, err := read("/proc/meminfo"); err == nil {
		total = memTotal(b)
	}
	if b, err := read("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total < 0 || n < total) {
			total = n
		}
	}
	if total <= 0 {
		return 4 << 30
	}
	return max(total/2, MinMemoryBudget)
}

// memTotal returns MemTotal of /proc/meminfo in bytes, -1 if absent.
func memTotal(b []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return -1
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n <= 0 || n > math.MaxInt64>>10 {
			return -1
		}
		if len(f) > 1 && strings.EqualFold(f[1], "kB") {
			n <<= 10
		}
		return n
	}
	return -1
}

// readSmall reads at most 64 KiB of a system file.
func readSmall(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 64<<10))
}

// checkBudget validates a memory budget setting: 0 (the default) or at
// least MinMemoryBudget.
func checkBudget(what string, n int64) error {
	if n != 0 && n < minBudget {
		return fmt.Errorf("%w: %s %d bytes: want 0 (the default) or at least %s", config.ErrInvalid, what, n, humanize.Bytes(minBudget))
	}
	return nil
}

// minBudget is MinMemoryBudget; tests lower it to reach the limits with
// small granules.
var minBudget int64 = MinMemoryBudget

// Estimates of what reading a dataset allocates besides its values.
const (
	// planBytesPerChunk bounds h5read's per-chunk bookkeeping of a read
	// plan (ChunkPlan, chunk reference, coordinate slices, index map).
	planBytesPerChunk = 192
	// h5readDecoders is h5read's default concurrency: how many chunks are
	// decoded at once into chunk-sized buffers.
	h5readDecoders = 8
)

// sat adds and multiplies non-negative byte counts, saturating at
// math.MaxInt64 so that sizes declared by a hostile file cannot wrap.
func satMul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// readNeed estimates the bytes reading rows of d into a Go slice of keep
// bytes per element allocates: the slice, h5read's raw buffer, and the read
// plan's per-chunk bookkeeping and the chunk buffers decoded at once (for a
// chunked dataset) or the buffer the stored bytes are fetched into (for a
// contiguous one). It
// is computed from what the file declares (shape, chunk shape, element
// size), before anything is allocated.
func readNeed(d *h5read.Dataset, rows, keep int64) int64 {
	es := int64(max(d.Dtype().Size, 1))
	need := satMul(rows, keep+es)
	cs := d.ChunkShape()
	if rows == 0 {
		return need
	}
	if len(cs) == 0 {
		// Contiguous: the stored bytes are fetched into one more buffer.
		return satAdd(need, satMul(rows, es))
	}
	per := int64(max(cs[0], 1))
	chunks := satAdd(rows/per, 2) // a range can touch a partial chunk at each end
	chunkBytes := es
	for _, c := range cs {
		chunkBytes = satMul(chunkBytes, int64(max(c, 1)))
	}
	need = satAdd(need, satMul(chunks, planBytesPerChunk))
	return satAdd(need, satMul(min(chunks, h5readDecoders), chunkBytes))
}

// BudgetError is the error of a granule whose declared sizes exceed the
// memory budget. It matches ErrMemoryBudget and ErrDeterministic.
type BudgetError struct {
	// Dataset is the dataset whose declared size broke the budget, Rows its
	// declared rows (or the rows to read) and ElemSize its element size.
	Dataset       string
	Rows          int64
	ElemSize      int
	Step          string // what was about to be read
	Need, Allowed int64  // estimated bytes, and the granule's share of the budget
	Budget        int64  // the cell's budget
	Share         int    // granules read at once, over which Budget is split
}

// Error names the dataset, its declared size and the budget.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("%v: %s declares %d rows of %d bytes: %s needs about %s, more than the %s a granule may use (a cell's budget of %s over %d granules read at once); if the granule is genuine, raise the budget (Runner.MemoryBudget, --memory-budget)",
		ErrMemoryBudget, e.Dataset, e.Rows, e.ElemSize, e.Step, humanize.Bytes(e.Need), humanize.Bytes(e.Allowed), humanize.Bytes(e.Budget), e.Share)
}

// Is makes a BudgetError match ErrMemoryBudget and ErrDeterministic.
func (e *BudgetError) Is(target error) bool {
	return target == ErrMemoryBudget || target == dispatch.ErrDeterministic
}

package h5read

import (
	"slices"
	"sort"
	"sync"
)

// spanSet is a set of byte ranges, kept sorted, disjoint and merged, that
// counts each byte once: Stats.BytesUsed counts a byte of the file the
// first time a parser or decoder reads it, however often the same header
// is parsed again or the same chunk is read again from the head or a
// cache.
type spanSet struct {
	mu    sync.Mutex
	spans []span
}

type span struct{ off, end int64 }

// add inserts [off, off+n) and returns how many of its bytes were not in
// the set before.
func (s *spanSet) add(off, n int64) int64 {
	if n <= 0 {
		return 0
	}
	end := off + n
	s.mu.Lock()
	defer s.mu.Unlock()
	// The first span that overlaps or touches [off, end), and the ones
	// after it that do.
	i := sort.Search(len(s.spans), func(k int) bool { return s.spans[k].end >= off })
	j, covered := i, int64(0)
	merged := span{off, end}
	for ; j < len(s.spans) && s.spans[j].off <= end; j++ {
		if lo, hi := max(s.spans[j].off, off), min(s.spans[j].end, end); hi > lo {
			covered += hi - lo
		}
		merged.off = min(merged.off, s.spans[j].off)
		merged.end = max(merged.end, s.spans[j].end)
	}
	s.spans = slices.Replace(s.spans, i, j, merged)
	return n - covered
}

package pipeline

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress draws a run's progress: on a terminal a bar redrawn in place at
// most every 200 ms; otherwise one plain line at most every 10 s (and at the
// end), so logs stay readable.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	start time.Time
	now   func() time.Time

	mu       sync.Mutex
	counts   map[Outcome]int
	done     int
	redone   int
	lastDraw time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, tty: isTerminal(w), total: total, start: time.Now(), now: time.Now,
		counts: make(map[Outcome]int)}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) record(o Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[o]++
	p.done++
	now := p.now()
	every := 10 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.lastDraw) >= every || p.done == p.total {
		p.lastDraw = now
		p.draw(now)
	}
}

// redo counts a job that was done before and runs again.
func (p *progress) redo() {
	p.mu.Lock()
	p.redone++
	p.mu.Unlock()
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// line renders the status text shared by both displays.
func (p *progress) line(now time.Time) string {
	elapsed := now.Sub(p.start)
	var b strings.Builder
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	fmt.Fprintf(&b, "%d/%d cells %5.1f%%", p.done, p.total, pct)
	for _, o := range []Outcome{OutcomeOK, OutcomeEmpty, OutcomeSkipped, OutcomeFailed, OutcomeTimeout, OutcomeCanceled} {
		if n := p.counts[o]; n > 0 {
			fmt.Fprintf(&b, "  %s %d", o, n)
		}
	}
	if p.redone > 0 {
		fmt.Fprintf(&b, "  (redone %d: input changed)", p.redone)
	}
	fmt.Fprintf(&b, "  elapsed %s", roundDuration(elapsed))
	if p.done > 0 && p.done < p.total {
		eta := time.Duration(float64(elapsed) / float64(p.done) * float64(p.total-p.done))
		fmt.Fprintf(&b, "  ETA %s", roundDuration(eta))
	}
	return b.String()
}

func (p *progress) draw(now time.Time) {
	if !p.tty {
		fmt.Fprintf(p.w, "zagg: %s\n", p.line(now))
		return
	}
	const width = 30
	filled := width
	if p.total > 0 {
		filled = width * p.done / p.total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r[%s] %s\x1b[K", bar, p.line(now))
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

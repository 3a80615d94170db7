// Package progress draws the progress of a dispatcher run for the commands:
// on a terminal a bar redrawn in place at most every 200 ms; otherwise one
// plain line at most every 10 s (and at the end), so logs stay readable. Wire
// a Bar to dispatch.Dispatcher's OnStart and OnRecord (or the runners'), and
// call Finish when the run returns.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// Bar is one run's progress display. Its methods are safe for concurrent use.
type Bar struct {
	w     io.Writer
	tty   bool
	total int
	start time.Time
	now   func() time.Time

	mu       sync.Mutex
	counts   map[dispatch.Outcome]int
	done     int
	redone   int
	lastDraw time.Time
}

// New returns a display writing to w; a nil Bar draws nothing.
func New(w io.Writer) *Bar {
	return &Bar{w: w, tty: isTerminal(w), start: time.Now(), now: time.Now,
		counts: make(map[dispatch.Outcome]int)}
}

// Start sets the number of cells of the run and restarts the clock.
func (p *Bar) Start(total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start = total, p.now()
}

// Record counts one ended cell and redraws when it is time.
func (p *Bar) Record(rec dispatch.CellRecord) {
	if p == nil {
		return
	}
	if rec.Redo != "" {
		p.redo()
	}
	p.record(rec.Outcome)
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

func (p *Bar) record(o dispatch.Outcome) {
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
func (p *Bar) redo() {
	p.mu.Lock()
	p.redone++
	p.mu.Unlock()
}

// Finish ends the display (a terminal gets its newline).
func (p *Bar) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// line renders the status text shared by both displays.
func (p *Bar) line(now time.Time) string {
	elapsed := now.Sub(p.start)
	var b strings.Builder
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	fmt.Fprintf(&b, "%d/%d cells %5.1f%%", p.done, p.total, pct)
	for _, o := range []dispatch.Outcome{dispatch.OutcomeOK, dispatch.OutcomeEmpty, dispatch.OutcomeSkipped, dispatch.OutcomeFailed, dispatch.OutcomeTimeout, dispatch.OutcomeCanceled} {
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

func (p *Bar) draw(now time.Time) {
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

package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// TestPlainLines: off a terminal the display writes plain lines, at most one
// per 10 s of the injected clock and always the last, with outcome counts,
// redone cells and an ETA.
func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf)
	now := time.Unix(0, 0)
	b.now = func() time.Time { return now }
	b.Start(4)
	b.Record(dispatch.CellRecord{Outcome: dispatch.OutcomeOK}) // first line
	now = now.Add(time.Second)
	b.Record(dispatch.CellRecord{Outcome: dispatch.OutcomeOK}) // within 10 s: no line
	now = now.Add(10 * time.Second)
	b.Record(dispatch.CellRecord{Outcome: dispatch.OutcomeEmpty, Redo: "input changed"})
	now = now.Add(time.Second)
	b.Record(dispatch.CellRecord{Outcome: dispatch.OutcomeFailed}) // the last
	b.Finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"zagg: 1/4 cells  25.0%  ok 1  elapsed 0s  ETA 0s",
		"zagg: 3/4 cells  75.0%  ok 2  empty 1  (redone 1: input changed)  elapsed 11s  ETA 3.7s",
		"zagg: 4/4 cells 100.0%  ok 2  empty 1  failed 1  (redone 1: input changed)  elapsed 12s",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
	if strings.Contains(buf.String(), "\r") {
		t.Error("plain output has carriage returns")
	}
}

// TestNilBar: a nil Bar draws nothing and does not panic.
func TestNilBar(t *testing.T) {
	var b *Bar
	b.Start(1)
	b.Record(dispatch.CellRecord{})
	b.Finish()
}

package app

import (
	"strings"
	"testing"
	"time"
)

// While the underlying writer is stuck, at most maxPendingLog bytes wait
// (plus the line that crossed the bound): Write blocks rather than queue
// without limit. TestBatchWriterBackpressure cannot see a missing bound:
// its loop stops as soon as the queue is full, however far past full.
func TestBatchWriterBoundsPending(t *testing.T) {
	out := &countingBuffer{}
	b := newBatchWriter(out)
	defer b.Close()
	out.mu.Lock() // the writer goroutine's first write blocks
	line := strings.Repeat("y", 1023) + "\n"
	total := 3 * maxPendingLog / len(line)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range total {
			b.Write([]byte(line))
		}
	}()
	select {
	case <-done:
		out.mu.Unlock()
		t.Fatalf("all %d lines queued while the writer was stuck", total)
	case <-time.After(300 * time.Millisecond):
	}
	b.mu.Lock()
	pending := len(b.pending)
	b.mu.Unlock()
	out.mu.Unlock()
	<-done
	if pending > maxPendingLog+len(line) {
		t.Errorf("%d bytes pending while the writer was stuck, want at most %d", pending, maxPendingLog+len(line))
	}
}

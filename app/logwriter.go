package app

import (
	"io"
	"sync"
	"time"
)

const (
	// maxPendingLog is how many bytes of log lines may wait for the
	// writer goroutine before Write waits for it.
	maxPendingLog = 1 << 20
	// logDelay is how long the writer goroutine, woken by a line, waits for
	// more before it writes them all.
	logDelay = 5 * time.Millisecond
)

// batchWriter is the destination of `gatehouse serve`'s log. Write copies
// the line into a buffer and returns; one goroutine, woken by the first
// line, waits logDelay for more and then writes all the lines that have
// accumulated, in order, with a single call to the underlying writer.
// Under load hundreds of request lines share one system call instead of
// paying one each; a line reaches the log at most about logDelay late.
//
// Nothing is dropped: when maxPendingLog bytes wait, Write waits for the
// writer. Close writes what is pending before it returns, so every line
// logged before Serve returns is written. Only a crash of the process
// itself can lose lines: those of its last logDelay.
type batchWriter struct {
	w       io.Writer
	mu      sync.Mutex
	drained sync.Cond // broadcast when pending is taken by the writer
	pending []byte
	writing bool // the writer goroutine holds lines it has not written yet
	closed  bool
	wake    chan struct{} // a line waits
	closing chan struct{} // Close was called
	done    chan struct{} // the writer goroutine has stopped
}

// newBatchWriter starts the writer goroutine; Close stops it.
func newBatchWriter(w io.Writer) *batchWriter {
	b := &batchWriter{w: w, wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	b.drained.L = &b.mu
	go b.run()
	return b
}

// Write queues p. It never fails: an error of the underlying writer
// cannot be reported to the logger that wrote the line anyway.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.closed {
		defer b.mu.Unlock()
		return b.w.Write(p)
	}
	for len(b.pending) >= maxPendingLog {
		b.drained.Wait()
	}
	b.pending = append(b.pending, p...)
	select {
	case b.wake <- struct{}{}:
	default: // the writer is already awake
	}
	b.mu.Unlock()
	return len(p), nil
}

// run writes the pending lines logDelay after a line woke it, until
// Close.
func (b *batchWriter) run() {
	defer close(b.done)
	var out []byte
	delay := time.NewTimer(logDelay)
	delay.Stop()
	for {
		select {
		case <-b.wake:
		case <-b.closing:
			return
		}
		delay.Reset(logDelay)
		stop := false
		select {
		case <-delay.C:
		case <-b.closing:
			delay.Stop()
			stop = true
		}
		b.mu.Lock()
		out, b.pending = b.pending, out[:0]
		b.writing = len(out) > 0
		b.drained.Broadcast()
		b.mu.Unlock()
		if len(out) > 0 {
			b.w.Write(out)
			b.mu.Lock()
			b.writing = false
			b.drained.Broadcast()
			b.mu.Unlock()
		}
		if stop {
			return
		}
	}
}

// Close writes every pending line, stops the writer goroutine, and from
// then on writes straight through. It is safe to call more than once.
func (b *batchWriter) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.closing)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) > 0 { // queued between the writer's last take and closed
		b.w.Write(b.pending)
		b.pending = nil
	}
	return nil
}

// Flush waits until every line written before it is written through.
func (b *batchWriter) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.closed && (len(b.pending) > 0 || b.writing) {
		b.drained.Wait()
	}
}

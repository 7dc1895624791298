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
// Nothing is dropped and order is kept: when maxPendingLog bytes wait,
// Write waits for the writer; Close writes every line queued before or
// during it, and only then lets later lines go straight through. Only a
// crash of the process itself can lose lines: those of its last logDelay.
type batchWriter struct {
	w       io.Writer
	mu      sync.Mutex
	changed sync.Cond // broadcast when pending shrinks or the state moves on
	pending []byte
	closed  bool          // Close has begun: lines queue without waiting for room
	flushed bool          // Close has written everything: lines go straight through
	wake    chan struct{} // a line waits
	closing chan struct{} // Close has begun
	done    chan struct{} // the writer goroutine has stopped
}

// newBatchWriter starts the writer goroutine; Close stops it.
func newBatchWriter(w io.Writer) *batchWriter {
	b := &batchWriter{w: w, wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	b.changed.L = &b.mu
	go b.run()
	return b
}

// Write queues p. It never fails: an error of the underlying writer
// cannot be reported to the logger that wrote the line anyway.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.closed && len(b.pending) >= maxPendingLog {
		b.changed.Wait()
	}
	if b.flushed {
		// Under the lock: in order with the other lines after Close.
		return b.w.Write(p)
	}
	b.pending = append(b.pending, p...)
	select {
	case b.wake <- struct{}{}:
	default: // the writer is already awake
	}
	return len(p), nil
}

// run writes the pending lines logDelay after a line woke it, until
// Close begins.
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
		select {
		case <-delay.C:
		case <-b.closing:
			delay.Stop()
			return // Close writes what is pending
		}
		b.mu.Lock()
		out, b.pending = b.pending, out[:0]
		b.changed.Broadcast()
		b.mu.Unlock()
		b.w.Write(out)
	}
}

// Close waits for the writer goroutine's write in progress, writes every
// pending line, and from then on lets lines go straight through. It is
// safe to call more than once.
func (b *batchWriter) Close() error {
	b.mu.Lock()
	if b.closed {
		// Another Close runs: return once it has written everything, so
		// that no caller exits with lines still queued.
		for !b.flushed {
			b.changed.Wait()
		}
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.changed.Broadcast() // Writes waiting for room queue at once
	b.mu.Unlock()
	close(b.closing)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) > 0 {
		b.w.Write(b.pending)
		b.pending = nil
	}
	b.flushed = true
	b.changed.Broadcast()
	return nil
}

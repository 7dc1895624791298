package app

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingBuffer is an io.Writer that counts its Write calls.
type countingBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (l *countingBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.buf.Write(p)
}

func (l *countingBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestBatchWriterKeepsEveryLineInOrder: lines from many goroutines all
// arrive, each whole, each goroutine's in its own order, whatever Close
// interrupts; lines written after Close go straight through.
func TestBatchWriterKeepsEveryLineInOrder(t *testing.T) {
	for _, lines := range []int{1, 100, 5000} {
		t.Run(fmt.Sprint(lines), func(t *testing.T) {
			out := &countingBuffer{}
			b := newBatchWriter(out)
			const writers = 8
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for i := range lines {
						fmt.Fprintf(b, "w%d line %d %s\n", w, i, strings.Repeat("x", i%300))
					}
				})
			}
			wg.Wait()
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(b, "after close\n")
			next := make([]int, writers)
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(got) != writers*lines+1 || got[len(got)-1] != "after close" {
				t.Fatalf("got %d lines (last %q), want %d and then \"after close\"", len(got), got[len(got)-1], writers*lines+1)
			}
			for _, l := range got[:len(got)-1] {
				var w, i int
				if _, err := fmt.Sscanf(l, "w%d line %d ", &w, &i); err != nil || w >= writers || i != next[w] ||
					l != fmt.Sprintf("w%d line %d %s", w, i, strings.Repeat("x", i%300)) {
					t.Fatalf("line %q out of order or torn (writer %d expects line %d)", l, w, next[w])
				}
				next[w]++
			}
		})
	}
}

// TestBatchWriterBatches: lines written while the writer goroutine is
// busy share one write.
func TestBatchWriterBatches(t *testing.T) {
	out := &countingBuffer{}
	b := newBatchWriter(out)
	defer b.Close()
	out.mu.Lock() // the writer goroutine blocks on its first write
	for i := range 1000 {
		fmt.Fprintf(b, "line %d\n", i)
	}
	out.mu.Unlock()
	b.Close() // writes everything
	if got := strings.Count(out.String(), "\n"); got != 1000 {
		t.Fatalf("%d lines written, want 1000", got)
	}
	out.mu.Lock()
	writes := out.writes
	out.mu.Unlock()
	if writes > 3 {
		t.Errorf("1000 lines took %d writes, want at most 3 (one blocked, then the rest together)", writes)
	}
}

// TestBatchWriterBackpressure: with the underlying writer stuck, Write
// waits once maxPendingLog bytes wait, instead of dropping or growing
// without bound.
func TestBatchWriterBackpressure(t *testing.T) {
	out := &countingBuffer{}
	b := newBatchWriter(out)
	defer b.Close()
	out.mu.Lock()
	line := strings.Repeat("y", 1023) + "\n"
	done := make(chan int)
	go func() {
		n := 0
		for range 3 * maxPendingLog / len(line) {
			b.Write([]byte(line))
			n++
		}
		done <- n
	}()
	// The first line is taken by the blocked writer; at most
	// maxPendingLog bytes more can wait, so the loop cannot finish.
	for {
		b.mu.Lock()
		full := len(b.pending) >= maxPendingLog
		b.mu.Unlock()
		if full {
			break
		}
		select {
		case n := <-done:
			t.Fatalf("all %d lines queued while the writer was stuck", n)
		default:
		}
	}
	out.mu.Unlock()
	if n := <-done; n != 3*maxPendingLog/len(line) {
		t.Fatalf("wrote %d lines", n)
	}
	b.Close() // writes everything
	if got := strings.Count(out.String(), "\n"); got != 3*maxPendingLog/len(line) {
		t.Fatalf("%d lines written, want %d", got, 3*maxPendingLog/len(line))
	}
}

// gatedBuffer blocks every Write until open is closed, and signals the
// first Write on started.
type gatedBuffer struct {
	countingBuffer
	open    chan struct{}
	started chan struct{}
	once    sync.Once
}

func newGatedBuffer() *gatedBuffer {
	return &gatedBuffer{open: make(chan struct{}), started: make(chan struct{})}
}

func (g *gatedBuffer) Write(p []byte) (int, error) {
	g.once.Do(func() { close(g.started) })
	<-g.open
	return g.countingBuffer.Write(p)
}

// TestBatchWriterCloseUnderLoad: Close runs while the sink is stuck, one
// Write waits for room and others keep writing; every line written before
// Close returns is written, in order, none after a line written later, and
// no Write hangs.
func TestBatchWriterCloseUnderLoad(t *testing.T) {
	for run := range 10 {
		g := newGatedBuffer()
		b := newBatchWriter(g)
		b.Write([]byte("L0\n"))
		<-g.started // the writer goroutine is stuck writing L0
		big := append(bytes.Repeat([]byte("x"), maxPendingLog-1), '\n')
		b.Write(big) // pending is full
		waiting := make(chan struct{})
		go func() { b.Write([]byte("L1 waited for room\n")); close(waiting) }()
		closed := make(chan struct{})
		go func() { b.Close(); close(closed) }()
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() { fmt.Fprintf(b, "L2 writer %d\n", w) })
		}
		close(g.open) // the sink catches up
		wg.Wait()
		<-closed
		<-waiting
		b.Write([]byte("L3 after Close\n"))
		out := g.String()
		i0, i1, i3 := strings.Index(out, "L0\n"), strings.Index(out, "L1 waited"), strings.Index(out, "L3 after Close")
		if i0 != 0 || i1 < 0 || i3 < i1 || !strings.HasSuffix(out, "L3 after Close\n") {
			t.Fatalf("run %d: lines lost or out of order: L0 at %d, L1 at %d, L3 at %d of %d bytes", run, i0, i1, i3, len(out))
		}
		for w := range 4 {
			if !strings.Contains(out, fmt.Sprintf("L2 writer %d\n", w)) {
				t.Fatalf("run %d: writer %d's line lost", run, w)
			}
		}
	}
}

// gatedWriter blocks every Write until release is closed.
type gatedWriter struct {
	countingBuffer
	entered chan struct{} // closed at the first Write
	release chan struct{}
	once    sync.Once
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.once.Do(func() { close(g.entered) })
	<-g.release
	return g.countingBuffer.Write(p)
}

// A second Close returns only once the first has written everything: the
// process may exit as soon as any Close returns (serve's deferred Close
// and the second signal's race at exit).
func TestBatchWriterSecondCloseWaits(t *testing.T) {
	g := &gatedWriter{entered: make(chan struct{}), release: make(chan struct{})}
	b := newBatchWriter(g)
	fmt.Fprintln(b, "first line")
	<-g.entered // the writer goroutine is inside the slow Write
	fmt.Fprintln(b, "second line")
	first := make(chan struct{})
	go func() { b.Close(); close(first) }()
	second := make(chan struct{})
	go func() {
		for {
			b.mu.Lock()
			closed := b.closed
			b.mu.Unlock()
			if closed {
				break
			}
		}
		b.Close()
		close(second)
	}()
	// Give a wrong Close time to return (a bounded wait for an event that
	// must not happen, not a measure of speed).
	select {
	case <-second:
		t.Fatal("the second Close returned while lines were still being written")
	case <-first:
		t.Fatal("the first Close returned while its writer was blocked")
	case <-time.After(200 * time.Millisecond):
	}
	close(g.release)
	<-first
	<-second
	if got := g.String(); got != "first line\nsecond line\n" {
		t.Errorf("written %q, want both lines", got)
	}
}

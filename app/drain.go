package app

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// drain is the connection bookkeeping that lets Serve shut down under
// load without losing a request, where http.Server alone loses some in
// two ways:
//
//   - http.Server.SetKeepAlivesEnabled(false) closes the idle kept-alive
//     connections at once, while a client (a load balancer still sending
//     during the shutdown delay) may be writing its next request on one;
//     that request is lost. So during the delay every answer carries
//     "Connection: close" instead (see drainHandler), and a kept-alive
//     connection closes after its next answer.
//   - http.Server.Shutdown drops the request of a connection it accepted
//     but whose request it had not read yet: once net/http reads it, it
//     sees the server shutting down and closes the connection without an
//     answer. Under load, the connections accepted in the instant before
//     the listener closed are exactly those. So Serve closes the listener
//     first, waits until every connection it accepted has handed its
//     first request to the handler (or closed), and only then calls
//     Shutdown, which waits for the requests in flight.
//
// A connection still waiting for its first request at that point holds
// the shutdown back until server.read_header_timeout (or
// server.shutdown_timeout) ends it; if shutdown_timeout ends it, it is
// closed (net/http's Shutdown closes one over 5 s old itself; Serve
// closes a younger one, with a warning), not an error, as no request was
// lost. What remains is in TCP's nature: a
// connection still in the kernel's accept queue when the listener
// closes is reset, and a connection idle through the whole delay may be
// closed by Shutdown as its client starts writing on it; the shutdown
// delay exists so that no client sends by then.
type drain struct {
	mu      sync.Mutex
	waiting map[net.Conn]struct{} // accepted; no request handed to the handler yet
	busy    map[net.Conn]struct{} // a request read and not yet wholly answered
}

func newDrain() *drain {
	return &drain{waiting: make(map[net.Conn]struct{}), busy: make(map[net.Conn]struct{})}
}

// connKey is the context key under which connContext stores a request's
// *drainConn.
type connKey struct{}

// drainConn is a connection as drainHandler sees it.
type drainConn struct {
	conn  net.Conn
	first atomic.Bool // no request has reached the handler yet
}

// connContext is the http.Server.ConnContext hook: it lets drainHandler
// find the connection a request came on.
func (d *drain) connContext(ctx context.Context, c net.Conn) context.Context {
	dc := &drainConn{conn: c}
	dc.first.Store(true)
	return context.WithValue(ctx, connKey{}, dc)
}

// connState is the http.Server.ConnState hook: an accepted connection
// waits until its first request reaches the handler, its first answer is
// written (a request net/http answers itself), or it closes. A connection
// is busy from the moment net/http has read a request on it (StateActive)
// until the answer is written whole (StateIdle) or it closes: the answer
// may still be on its way out after the handler has returned.
func (d *drain) connState(c net.Conn, s http.ConnState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch s {
	case http.StateNew:
		d.waiting[c] = struct{}{}
	case http.StateActive:
		d.busy[c] = struct{}{}
	case http.StateIdle, http.StateClosed, http.StateHijacked:
		delete(d.waiting, c)
		delete(d.busy, c)
	}
}

// busyConns returns the number of connections with a request read and
// not yet wholly answered.
func (d *drain) busyConns() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.busy)
}

// served notes that c no longer waits.
func (d *drain) served(c net.Conn) {
	d.mu.Lock()
	delete(d.waiting, c)
	d.mu.Unlock()
}

// pending returns the number of connections that wait.
func (d *drain) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.waiting)
}

// wait waits until no connection waits, or ctx is done.
func (d *drain) wait(ctx context.Context) error {
	for tick := time.Millisecond; d.pending() > 0; tick = min(2*tick, 50*time.Millisecond) {
		t := time.NewTimer(tick)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// drainHandler wraps the server's handler: it notes that the request's
// connection no longer waits, and while a is draining it asks net/http
// to close the connection after the answer.
func (a *App) drainHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dc, ok := r.Context().Value(connKey{}).(*drainConn); ok && dc.first.Swap(false) {
			a.drain.served(dc.conn)
		}
		if a.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// onceCloseListener is a listener that Serve can close before
// http.Server.Shutdown closes it again.
type onceCloseListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

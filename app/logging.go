package app

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/views"
)

// RequestIDHeader is the response header that carries the ID under which
// the request was logged.
const RequestIDHeader = "X-Request-Id"

// observe is the outermost middleware. It gives the request an ID and a
// views.Record, bounds its body, and once the answer is written logs one
// line at info level and updates the request metrics.
//
// The request ID is always generated here, never taken from the request:
// a client-supplied ID could forge or collide with another request's log
// lines. It is echoed in the X-Request-Id response header, so that an
// answer (for example in Twilio's request inspector) can be found in the
// log.
//
// The line names the route by its name and pattern, never the request
// URL: a GET webhook carries the caller's number (From, To, Caller,
// Called) in its query. It holds nothing that authentication read except
// the signature outcome and the effective principals.
func (a *App) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := a.ids.next()
		rec := views.NewRecord(id)
		r := c.Request()
		c.SetRequest(r.WithContext(views.NewRecordContext(r.Context(), rec)))
		// Bounded here rather than by a middleware of its own: one
		// closure less per request.
		a.limitBody(c)
		// The key is canonical already: Header.Set would check it again.
		c.Response().Header()[RequestIDHeader] = []string{id}
		if err := next(c); err != nil {
			c.Error(err) // answer now, so that the status is known
		}
		end := time.Now()
		elapsed := end.Sub(start)
		s := rec.Snapshot() // the request is answered: nothing changes it any more
		status := c.Response().Status
		route := s.Route
		if route == "" {
			route = routeNotFound
		}
		a.metrics.request(route, status, elapsed)
		a.metrics.decision(s)

		ctx := c.Request().Context()
		h := a.log.Handler()
		if !h.Enabled(ctx, slog.LevelInfo) {
			return nil
		}
		// The attributes go to the handler as one group without a key,
		// which every handler inlines: the line is the same as with the
		// attributes one by one, and the Record does not copy them into a
		// slice of its own.
		var buf [15]slog.Attr
		attrs := append(buf[:0],
			slog.String("request_id", s.RequestID),
			slog.String("method", r.Method),
			slog.String("route", route),
		)
		if s.Route != "" {
			attrs = append(attrs, slog.String("pattern", c.Path()))
		}
		attrs = append(attrs,
			slog.Int("status", status),
			slog.Duration("latency", elapsed),
			slog.String("peer", peerHost(r.RemoteAddr)),
		)
		if s.Signature != "" {
			attrs = append(attrs, slog.String("signature", string(s.Signature)))
		}
		if s.Challenged != "" {
			attrs = append(attrs, slog.String("challenged", string(s.Challenged)))
		}
		if s.Principals != nil {
			attrs = append(attrs, slog.Any("principals", a.principals.of(s.Principals)))
		}
		th, direct := h.(*textHandler) // serve's text log: the line written directly
		switch {
		case s.AuthzFailed:
			attrs = append(attrs, slog.String("permission", s.Permission), slog.String("decision", resultError))
		case s.Decision != nil:
			d := s.Decision
			result := resultDenied
			if d.Allowed {
				result = resultAllowed
			}
			attrs = append(attrs,
				slog.String("permission", d.Permission),
				slog.String("decision", result),
				a.aceAttr(d.ACE, direct),
				slog.String("context", d.Context),
				slog.Uint64("generation", d.Generation),
			)
		}
		// The same bytes as the handler's.
		if direct && th.writeLine(end, slog.LevelInfo, "request", attrs) {
			return nil
		}
		// The handler itself, as Logger.LogAttrs would call it, with the
		// time the request ended and the caller's program counter found
		// once (it is always the same) rather than by unwinding the stack
		// for every request.
		pc := a.requestPC.Load()
		if pc == 0 {
			var pcs [1]uintptr
			runtime.Callers(1, pcs[:])
			pc = pcs[0]
			a.requestPC.Store(pc)
		}
		line := slog.NewRecord(end, slog.LevelInfo, "request", pc)
		// A copy: the group keeps its slice, which must not be attrs'
		// array on the stack.
		line.AddAttrs(slog.Attr{Value: slog.GroupValue(slices.Clone(attrs)...)})
		_ = h.Handle(ctx, line)
		return nil
	}
}

// principalList renders the principals in the request log as a []string
// renders, without reflection: "[a b c]" as text (what fmt's %+v writes),
// a JSON array of strings as JSON (what encoding/json writes, with HTML
// characters left alone, as slog's JSON handler asks).
type principalList []string

// MarshalText implements encoding.TextMarshaler.
func (p principalList) MarshalText() ([]byte, error) {
	n := len(p) + 1
	for _, s := range p {
		n += len(s)
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, s := range p {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	return append(b, ']'), nil
}

// MarshalJSON implements json.Marshaler.
func (p principalList) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	n := 2 + len(p)
	for _, s := range p {
		n += len(s) + 2
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, s := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']'), nil
}

// appendJSONString appends s as encoding/json encodes a string without
// HTML escaping: quotes, backslashes and control characters escaped, an
// invalid UTF-8 byte as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is still to be appended as it is
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// principalTexts remembers the rendering of the principals of the last
// request line (a webhook's requests carry the same few principal sets),
// so that the request log does not render them afresh each time. It
// compares the whole list, so it never returns another list's rendering.
type principalTexts struct {
	last atomic.Pointer[principalsText]
}

// principalsText is a list of principals rendered once, in both formats:
// it renders as principalList (and so as a []string) renders.
type principalsText struct {
	list       []string
	text, json []byte
	line       []byte // text as a text log line holds it (appendTextString)
}

// appendText appends p as a text log line holds it (see appendTextLine).
func (p *principalsText) appendText(b []byte) []byte { return append(b, p.line...) }

// MarshalText implements encoding.TextMarshaler. The result is shared:
// it must not be modified (it has no spare capacity to append to).
func (p *principalsText) MarshalText() ([]byte, error) { return p.text, nil }

// MarshalJSON implements json.Marshaler. The result is shared: it must
// not be modified (it has no spare capacity to append to).
func (p *principalsText) MarshalJSON() ([]byte, error) { return p.json, nil }

// of returns the rendering of list, which the caller must not modify
// afterwards.
func (t *principalTexts) of(list []string) *principalsText {
	if e := t.last.Load(); e != nil && slices.Equal(e.list, list) && (e.list == nil) == (list == nil) {
		return e
	}
	text, _ := principalList(list).MarshalText()
	json, _ := principalList(list).MarshalJSON()
	// A copy of list: the next requests compare with it, and the caller's
	// slice may change once its request is over.
	e := &principalsText{list: slices.Clone(list), text: slices.Clip(text), json: slices.Clip(json),
		line: appendTextString(nil, string(text))}
	t.last.Store(e)
	return e
}

// aceTexts remembers the rendering of the ACE that decided the last
// request (a webhook's requests are decided by the same few ACEs), so that
// the request log does not render it afresh each time. It compares the
// whole ACE, so it never returns another ACE's rendering.
type aceTexts struct {
	last atomic.Pointer[aceText]
	deny atomic.Pointer[aceText] // defaultDeny's
}

// defaultDeny is the ace of a request line whose decision no ACE made.
const defaultDeny = "<default deny>"

// aceText is the rendering of an ACE (ace.String()), or of defaultDeny,
// made once for many lines: as a string, and as serve's text line holds
// it.
type aceText struct {
	ace  authz.ACE
	text string
	line []byte // text as a text log line holds it (appendTextString)
}

func newACEText(ace authz.ACE, text string) *aceText {
	return &aceText{ace: ace, text: text, line: appendTextString(nil, text)}
}

// appendText appends a as a text log line holds it (see appendTextLine).
func (a *aceText) appendText(b []byte) []byte { return append(b, a.line...) }

// MarshalText implements encoding.TextMarshaler, as the string text: a
// TextHandler writes it as it writes that string.
func (a *aceText) MarshalText() ([]byte, error) { return []byte(a.text), nil }

// of returns the rendering of ace, or of defaultDeny if ace is nil.
func (t *aceTexts) of(ace *authz.ACE) *aceText {
	if ace == nil {
		if e := t.deny.Load(); e != nil {
			return e
		}
		e := newACEText(authz.ACE{}, defaultDeny)
		t.deny.Store(e)
		return e
	}
	if e := t.last.Load(); e != nil && e.ace == *ace {
		return e
	}
	e := newACEText(*ace, ace.String())
	t.last.Store(e)
	return e
}

// aceAttr is the request line's "ace" attribute for the ACE that decided
// (nil: the default deny): a string, or for serve's own text line
// (direct) its rendering made once, which that line copies as it is.
func (a *App) aceAttr(ace *authz.ACE, direct bool) slog.Attr {
	e := a.aces.of(ace)
	if direct {
		return slog.Any("ace", e)
	}
	return slog.String("ace", e.text)
}

// requestIDs generates request IDs: 32 hex digits, the AES encryption of
// a counter under a key chosen at random once per App. Encryption is a
// permutation, so the IDs are unique (the log's lines about one request
// are found by them); the key keeps them from being read as a counter, so
// that the IDs the server sends out do not tell how many requests it
// served, or when it restarted.
type requestIDs struct {
	block cipher.Block
	n     atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var key, nonce [16]byte
	rand.Read(key[:]) // never fails (crypto/rand)
	rand.Read(nonce[:8])
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	ids := &requestIDs{block: block}
	// Start at a random point too, so that two Apps given the same key by
	// a broken random source would still not repeat each other's IDs at
	// once.
	ids.n.Store(binary.BigEndian.Uint64(nonce[:8]))
	return ids
}

// next returns a fresh ID.
func (ids *requestIDs) next() string {
	// The block and its output in one allocation: both escape through
	// the cipher.Block interface.
	buf := new([2 * aes.BlockSize]byte)
	in, out := buf[:aes.BlockSize], buf[aes.BlockSize:]
	binary.BigEndian.PutUint64(in[8:], ids.n.Add(1))
	ids.block.Encrypt(out, in)
	var b [2 * aes.BlockSize]byte
	hex.Encode(b[:], out)
	return string(b[:])
}

// observeSignature is the authn.TwilioConfig.Observe hook: it counts the
// outcome and notes it in the request's Record. A failure is also logged
// at debug level with the URL the signature was checked against (its
// password masked), the first thing to compare with the webhook URL
// configured at Twilio; that URL may hold caller data, so never at info.
func (a *App) observeSignature(r *http.Request, v authn.Verification) {
	a.metrics.signature(v.Reason)
	rec := views.RecordFrom(r.Context())
	rec.SetSignature(v.Reason)
	if ctx := r.Context(); !v.Valid && a.log.Enabled(ctx, slog.LevelDebug) {
		a.log.LogAttrs(ctx, slog.LevelDebug, "signature did not verify",
			slog.String("request_id", rec.RequestID()),
			slog.String("reason", string(v.Reason)),
			slog.String("url", config.RedactURL(v.URL)))
	}
}

// peerHost is the address of the peer without its port.
func peerHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// debugVisible lets the records of level DEBUG through to its handler
// whatever level the handler is set to (the views log nothing else at that
// level): the debug_authorization setting
// asks for its lines explicitly, so log.level must not hide them. The
// standard library's handlers filter only in Enabled, which is why this
// works; every other level is left to the handler.
type debugVisible struct{ slog.Handler }

func (h debugVisible) Enabled(ctx context.Context, l slog.Level) bool {
	return l == slog.LevelDebug || h.Handler.Enabled(ctx, l)
}

func (h debugVisible) WithAttrs(attrs []slog.Attr) slog.Handler {
	return debugVisible{h.Handler.WithAttrs(attrs)}
}

func (h debugVisible) WithGroup(name string) slog.Handler {
	return debugVisible{h.Handler.WithGroup(name)}
}

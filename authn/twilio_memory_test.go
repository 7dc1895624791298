package authn

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// forgedForm returns a POST of body as a form, with a signature header that
// is well formed but signs nothing: the request anyone can send.
func forgedForm(body io.Reader, contentLength int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", body)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	r.ContentLength = contentLength
	return r
}

// allocatedBy returns the bytes allocated on the heap while f runs.
func allocatedBy(t *testing.T, f func()) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A forged form body costs the verifier at most four times its size, plus
// a parameter's few words for each '&' (at most maxFormPairs of them), from
// the first request on, with no scratch memory to reuse: memory is sized by
// the bytes and pairs that arrive, not one parameter per two bytes.
func TestForgedBodyMemory(t *testing.T) {
	const (
		maxRatio = 4
		perPair  = 24 + 4 // a param, and its index in the sort order
	)
	tests := []struct {
		name string
		body string
		want Reason
	}{
		{"64 KiB, one pair", "Digits=" + strings.Repeat("1", 64<<10-len("Digits=")), ReasonNoMatch},
		{"64 KiB, escapes", "Digits=" + strings.Repeat("%31", (64<<10-len("Digits="))/3), ReasonNoMatch},
		{"64 KiB, all '+'", "Digits=" + strings.Repeat("+", 64<<10-len("Digits=")), ReasonNoMatch},
		{"64 KiB, 2,048 pairs", strings.Repeat("Digits=1234567890123456789012&", 64<<10/32), ReasonNoMatch},
		{"64 KiB, no pairs", strings.Repeat("&", 64<<10), ReasonNoMatch},
		{"64 KiB, two-byte pairs", strings.Repeat("a&", 32<<10), ReasonMalformedBody},
		{"16 MiB, one pair", "Digits=" + strings.Repeat("1", 16<<20-len("Digits=")), ReasonNoMatch},
		{"16 MiB, two-byte pairs", strings.Repeat("a&", 8<<20), ReasonMalformedBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(t, TwilioConfig{PublicURL: "https://ivr.example.com", MaxBodyBytes: 16 << 20})
			var v Verification
			got := allocatedBy(t, func() {
				v = p.Verify(forgedForm(strings.NewReader(tt.body), int64(len(tt.body))))
			})
			t.Logf("%d bytes allocated for a body of %d (%.2fx)", got, len(tt.body), float64(got)/float64(len(tt.body)))
			if v.Reason != tt.want {
				t.Fatalf("Verify = %q, want %q", v.Reason, tt.want)
			}
			pairs := min(strings.Count(tt.body, "&")+1, maxFormPairs)
			bound := uint64(maxRatio*len(tt.body) + perPair*pairs)
			if got > bound {
				t.Errorf("allocated %d bytes for a body of %d bytes and %d pairs, want at most %d", got, len(tt.body), pairs, bound)
			}
		})
	}
}

// A client that announces a large Content-Length and sends a few bytes
// costs what it sent, not what it announced: a bounded first buffer.
func TestAnnouncedBodyNotPreallocated(t *testing.T) {
	const announced = 16 << 20
	p := newPolicy(t, TwilioConfig{PublicURL: "https://ivr.example.com", MaxBodyBytes: announced})
	body := io.MultiReader(strings.NewReader("Digits=1"), errReader{io.ErrUnexpectedEOF})
	var v Verification
	got := allocatedBy(t, func() { v = p.Verify(forgedForm(body, announced)) })
	if v.Reason != ReasonBodyUnreadable {
		t.Fatalf("Verify = %q, want %q", v.Reason, ReasonBodyUnreadable)
	}
	const bound = 16 << 10 // about 4 KiB set aside, the URL, the scratch's slices
	t.Logf("%d bytes allocated for an announced %d", got, announced)
	if got > bound {
		t.Errorf("allocated %d bytes for 8 bytes sent of %d announced, want at most %d", got, announced, bound)
	}
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// A scratch memory grown by a large body goes back to the pool without its
// large buffers, which garbage collection then frees: the pool would keep
// them for the next large body, two collections at most.
func TestPooledScratchDropsLargeBuffers(t *testing.T) {
	p := newPolicy(t, TwilioConfig{PublicURL: "https://ivr.example.com"})
	p.spare.Store(&scratch{}) // taken: what is given back goes to the pool
	tests := []struct {
		name             string
		buf, msg         int
		wantBuf, wantMsg bool
	}{
		{"small", 1 << 10, 1 << 10, true, true},
		{"at the bound", poolMaxBytes, poolMaxBytes, true, true},
		{"large buf", poolMaxBytes + 1, 1 << 10, false, true},
		{"large msg", 1 << 10, poolMaxBytes + 1, true, false},
		{"both large", poolMaxBytes + 1, poolMaxBytes + 1, false, false},
	}
	for _, tt := range tests {
		st := &scratch{buf: make([]byte, 0, tt.buf), msg: make([]byte, 0, tt.msg)}
		p.putScratch(st)
		if got := st.buf != nil; got != tt.wantBuf {
			t.Errorf("%s: buf kept %v, want %v", tt.name, got, tt.wantBuf)
		}
		if got := st.msg != nil; got != tt.wantMsg {
			t.Errorf("%s: msg kept %v, want %v", tt.name, got, tt.wantMsg)
		}
	}
}

// A form body of at most maxFormPairs pairs verifies, however many empty
// pairs come with them; one pair more does not.
func TestFormPairsLimit(t *testing.T) {
	p := newPolicy(t, TwilioConfig{PublicURL: "https://ivr.example.com", MaxBodyBytes: 1 << 20})
	tests := []struct {
		name  string
		pairs int
		sep   string
		want  Reason
	}{
		{"at the limit", maxFormPairs, "&", ReasonValid},
		{"at the limit, with empty pairs", maxFormPairs, "&&&", ReasonValid},
		{"one more", maxFormPairs + 1, "&", ReasonMalformedBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := make([]Param, tt.pairs)
			enc := make([]string, tt.pairs)
			for i := range params {
				params[i] = Param{Name: "a", Value: strconv.Itoa(i)}
				enc[i] = "a=" + params[i].Value
			}
			body := strings.Join(enc, tt.sep)
			r := forgedForm(strings.NewReader(body), int64(len(body)))
			r.Header.Set(SignatureHeader, Sign("12345", "https://ivr.example.com/", params))
			if v := p.Verify(r); v.Reason != tt.want {
				t.Errorf("Verify = %q, want %q", v.Reason, tt.want)
			}
		})
	}
}

// MaxBodyBytes above MaxBodyBytesLimit is refused (it overflowed the read
// limit, and the body was dropped unread); at the limit a signed body
// verifies and the view reads it whole.
func TestMaxBodyBytesLimit(t *testing.T) {
	for _, n := range []int64{MaxBodyBytesLimit + 1, math.MaxInt64 - 1, math.MaxInt64} {
		_, err := NewTwilioSignature(TwilioConfig{AuthTokens: []string{"12345"}, MaxBodyBytes: n})
		if !errors.Is(err, ErrMaxBodyBytes) || !strings.Contains(err.Error(), strconv.FormatInt(n, 10)) {
			t.Errorf("MaxBodyBytes %d: got error %v, want ErrMaxBodyBytes naming the value", n, err)
		}
	}
	p := newPolicy(t, TwilioConfig{PublicURL: "https://ivr.example.com", MaxBodyBytes: MaxBodyBytesLimit})
	params := []Param{{"CallSid", "CA1"}, {"Digits", "1"}}
	body := EncodeForm(params)
	r := forgedForm(strings.NewReader(body), int64(len(body)))
	r.Header.Set(SignatureHeader, Sign("12345", "https://ivr.example.com/", params))
	if v := p.Verify(r); !v.Valid {
		t.Errorf("Verify = %q, want valid", v.Reason)
	}
	if got, err := io.ReadAll(r.Body); string(got) != body || err != nil {
		t.Errorf("view read %q, %v; want %q", got, err, body)
	}
}

package authn

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
)

// SignatureHeader is the header that carries Twilio's request signature.
const SignatureHeader = "X-Twilio-Signature"

// DefaultMaxBodyBytes is the default limit on the body that
// TwilioSignature reads to verify a request.
const DefaultMaxBodyBytes = 64 << 10

// Reason says why a request's Twilio signature did or did not verify. It is
// safe to log: it never contains the token, the signature or the body.
type Reason string

// The reasons Verify reports.
const (
	ReasonValid            Reason = "valid"
	ReasonMissingHeader    Reason = "missing_header"
	ReasonMalformedHeader  Reason = "malformed_header"
	ReasonNoMatch          Reason = "no_match"
	ReasonBodyTooLarge     Reason = "body_too_large"
	ReasonBodyUnreadable   Reason = "body_unreadable"
	ReasonMalformedBody    Reason = "malformed_body"
	ReasonUnexpectedBody   Reason = "unexpected_body"
	ReasonBodyHashMissing  Reason = "body_hash_missing"
	ReasonBodyHashMismatch Reason = "body_hash_mismatch"
)

// Verification is the outcome of checking one request's signature.
type Verification struct {
	// Valid reports whether the signature verified.
	Valid bool
	// Reason says why; ReasonValid when Valid.
	Reason Reason
	// URL is the URL the signature was checked against. It may carry
	// credentials (from PublicURL) and caller data (in the query): log it
	// only at debug level, and never with the signature.
	URL string
	// AccountSid is the AccountSid parameter of a valid request, if any.
	AccountSid string
}

// TwilioConfig configures a TwilioSignature policy.
type TwilioConfig struct {
	// AuthTokens are the accepted auth tokens. Required: at least one.
	// During a token rotation list both the new and the old token.
	AuthTokens []string
	// PublicURL is the scheme, host, optional userinfo and port (and
	// optional path prefix) under which Twilio reaches this server, e.g.
	// "https://ivr.example.com". Optional. Default: the request's own
	// scheme and Host header, with X-Forwarded-Proto and X-Forwarded-Host
	// honoured only from TrustedProxies.
	PublicURL string
	// TrustedProxies are the peers whose X-Forwarded-Proto and
	// X-Forwarded-Host headers are believed when PublicURL is empty.
	// Optional. Default: none.
	TrustedProxies []netip.Prefix
	// MaxBodyBytes bounds the body read for verification; a larger body
	// does not verify. Optional. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Observe, if set, is called with the outcome of every verification
	// that Principals makes, for logging or metrics. The Verification is
	// safe to log except its URL (see Verification.URL). Observe must be
	// safe for concurrent use and must not retain r. Optional.
	Observe func(r *http.Request, v Verification)
}

// TwilioSignature is the authentication Policy that proves [TwilioGroup]
// (and "account:<AccountSid>") for requests whose X-Twilio-Signature
// verifies. It is safe for concurrent use.
type TwilioSignature struct {
	macs    []*sync.Pool // one pool of HMAC-SHA1 states per token
	public  string       // PublicURL without a trailing slash, or ""
	proxies []netip.Prefix
	maxBody int64
	observe func(*http.Request, Verification)
}

// ErrNoToken is returned by NewTwilioSignature when no auth token is given.
var ErrNoToken = errors.New("authn: twilio: no auth token configured")

// NewTwilioSignature validates cfg and returns the policy.
func NewTwilioSignature(cfg TwilioConfig) (*TwilioSignature, error) {
	t := &TwilioSignature{proxies: cfg.TrustedProxies, maxBody: cfg.MaxBodyBytes, observe: cfg.Observe}
	if t.maxBody <= 0 {
		t.maxBody = DefaultMaxBodyBytes
	}
	for _, tok := range cfg.AuthTokens {
		if tok == "" {
			continue
		}
		key := []byte(tok)
		t.macs = append(t.macs, &sync.Pool{New: func() any { return hmac.New(sha1.New, key) }})
	}
	if len(t.macs) == 0 {
		return nil, ErrNoToken
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			// The URL may carry credentials: never echo it.
			return nil, errors.New("authn: twilio: public URL must be an absolute http or https URL without query or fragment")
		}
		t.public = strings.TrimSuffix(cfg.PublicURL, "/")
	}
	return t, nil
}

// Principals returns [TwilioGroup], plus "account:<AccountSid>" when the
// signed parameters carry an AccountSid, if r's signature verifies, and
// nothing otherwise. It never returns an error.
func (t *TwilioSignature) Principals(r *http.Request) ([]string, error) {
	v := t.Verify(r)
	if t.observe != nil {
		t.observe(r, v)
	}
	if !v.Valid {
		return nil, nil
	}
	if v.AccountSid != "" {
		return []string{TwilioGroup, AccountPrefix + v.AccountSid}, nil
	}
	return []string{TwilioGroup}, nil
}

// Verify checks r's X-Twilio-Signature and says why it did or did not
// verify. Verify leaves r.Body readable from the start: the view reads the
// same bytes that were verified (or, if the body could not be read, the
// same error).
func (t *TwilioSignature) Verify(r *http.Request) Verification {
	v := Verification{URL: t.requestURL(r)}
	body, bodyErr := t.readBody(r)
	sigs := r.Header.Values(SignatureHeader)
	if len(sigs) == 0 || sigs[0] == "" && len(sigs) == 1 {
		v.Reason = ReasonMissingHeader
		return v
	}
	var want [sha1.Size]byte
	if len(sigs) != 1 || !decodeSignature(sigs[0], &want) {
		v.Reason = ReasonMalformedHeader
		return v
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(bodyErr, &mbe), errors.Is(bodyErr, errBodyTooLarge):
		v.Reason = ReasonBodyTooLarge
		return v
	case bodyErr != nil:
		v.Reason = ReasonBodyUnreadable
		return v
	}

	var params []Param
	switch mediaType(r.Header.Get("Content-Type")) {
	case "application/x-www-form-urlencoded":
		if r.Method != http.MethodPost && len(body) > 0 {
			v.Reason = ReasonUnexpectedBody
			return v
		}
		var err error
		params, err = ParseForm(body)
		if err != nil {
			v.Reason = ReasonMalformedBody
			return v
		}
	case "application/json":
		sum, ok := queryValue(rawQuery(r), "bodySHA256")
		if !ok {
			v.Reason = ReasonBodyHashMissing
			return v
		}
		if !bodyHashMatches(sum, body) {
			v.Reason = ReasonBodyHashMismatch
			return v
		}
	default:
		if len(body) > 0 {
			v.Reason = ReasonUnexpectedBody
			return v
		}
	}

	if !t.matches(v.URL, sortParams(params), want[:]) {
		v.Reason = ReasonNoMatch
		return v
	}
	v.Valid, v.Reason = true, ReasonValid
	v.AccountSid = accountSid(params, rawQuery(r))
	return v
}

// accountSid returns the AccountSid of a verified request: from the signed
// form body if it has one, else from the (equally signed) query. A name
// given two different values proves no account.
func accountSid(params []Param, query string) string {
	if params == nil {
		sid, _ := queryValue(query, "AccountSid")
		sid, _ = url.QueryUnescape(sid)
		return sid
	}
	sid := ""
	for _, p := range params {
		if p.Name != "AccountSid" {
			continue
		}
		if sid != "" && sid != p.Value {
			return ""
		}
		sid = p.Value
	}
	return sid
}

// matches reports whether any token signs rawURL+params to want.
func (t *TwilioSignature) matches(rawURL string, sorted []Param, want []byte) bool {
	var sum [sha1.Size]byte
	ok := 0
	for _, pool := range t.macs {
		mac := pool.Get().(hash.Hash)
		mac.Reset()
		io.WriteString(mac, rawURL)
		for _, p := range sorted {
			io.WriteString(mac, p.Name)
			io.WriteString(mac, p.Value)
		}
		mac.Sum(sum[:0])
		pool.Put(mac)
		// Every token is tried, so timing does not reveal which one matched.
		ok |= subtle.ConstantTimeCompare(sum[:], want)
	}
	return ok == 1
}

// errBodyTooLarge is what readBody reports, and what the view reads, when
// the body is longer than the limit.
var errBodyTooLarge = errors.New("authn: twilio: request body too large")

// readBody reads the body up to the limit and puts it back for the view:
// the bytes read, followed by the error that ended the read, if any.
func (t *TwilioSignature) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, t.maxBody+1))
	if err == nil && int64(len(body)) > t.maxBody {
		err = errBodyTooLarge
	}
	r.Body.Close()
	r.Body = &replayBody{Reader: bytes.NewReader(body), err: err}
	return body, err
}

// replayBody replays a body that was read for verification, then the error
// that ended that read (io.EOF if none).
type replayBody struct {
	*bytes.Reader
	err error
}

func (b *replayBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		err = b.err
	}
	return n, err
}

func (b *replayBody) Close() error { return nil }

// requestURL rebuilds the URL that Twilio requested.
func (t *TwilioSignature) requestURL(r *http.Request) string {
	target := r.RequestURI
	if target == "" { // a client-side request, as in tests
		target = r.URL.RequestURI()
	}
	if t.public != "" {
		return t.public + target
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if t.trustedPeer(r.RemoteAddr) {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			host = h
		}
	}
	return scheme + "://" + host + target
}

func (t *TwilioSignature) trustedPeer(remoteAddr string) bool {
	if len(t.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range t.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func decodeSignature(s string, dst *[sha1.Size]byte) bool {
	if base64.StdEncoding.EncodedLen(sha1.Size) != len(s) {
		return false
	}
	// Decode may write a whole final quantum: give it room for 21 bytes.
	// Strict: the spare bits of the last character must be zero, so one
	// signature has exactly one accepted spelling.
	var buf [sha1.Size + 1]byte
	n, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(s))
	copy(dst[:], buf[:sha1.Size])
	return err == nil && n == sha1.Size
}

func bodyHashMatches(hexSum string, body []byte) bool {
	var want [sha256.Size]byte
	if len(hexSum) != hex.EncodedLen(sha256.Size) {
		return false
	}
	if _, err := hex.Decode(want[:], []byte(hexSum)); err != nil {
		return false
	}
	got := sha256.Sum256(body)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// mediaType returns the lower-cased media type of a Content-Type value,
// without parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

func rawQuery(r *http.Request) string {
	if r.URL == nil {
		return ""
	}
	return r.URL.RawQuery
}

// queryValue returns the raw value of the only occurrence of name in a raw
// query; a name that occurs more than once is treated as absent.
func queryValue(query, name string) (string, bool) {
	var val string
	found := false
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			continue
		}
		if found {
			return "", false
		}
		val, found = v, true
	}
	return val, found
}

var _ Policy = (*TwilioSignature)(nil)

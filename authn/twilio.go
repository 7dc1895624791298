package authn

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	// URL is the candidate URL that the signature matched when Valid, and
	// the first candidate (the configured public URL, or the request's own
	// scheme and host, plus the request target) otherwise. It may carry
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
	// PublicURLs are further public base URLs, tried after PublicURL in
	// order, for a server that Twilio reaches under several names.
	// Optional. Default: none.
	PublicURLs []string
	// TrustedProxies are the peers whose X-Forwarded-Proto and
	// X-Forwarded-Host headers are believed when no public URL is set;
	// prefer PublicURL. The last value of each header is believed, whoever
	// wrote it, so list only proxies that set both headers on every
	// request, overwriting the client's (or appending their own value
	// after it), and list their own addresses: a proxy that passes a
	// client's header on unchanged, or any other peer inside a listed
	// prefix, lets the client choose the URL that is checked. An
	// IPv4-mapped prefix (::ffff:10.0.0.7/128) stands for its IPv4 form,
	// as the peers it would match are seen. A prefix of length 0, which
	// would trust every peer, prefixes that together cover every IPv4 or
	// every IPv6 address, and an invalid prefix are refused
	// (ErrTrustedProxy). Optional. Default: none.
	TrustedProxies []netip.Prefix
	// AccountSid is the SID of the Twilio account the tokens belong to
	// ("AC" and 32 lower-case hex digits). When set, a verified request
	// proves AccountPrefix+AccountSid only if its signed AccountSid is this
	// one, and no account principal otherwise. Set it whenever an ACL or a
	// view trusts account: principals: a form body can be re-cut without
	// changing its signature (see the package documentation), so that
	// whoever wrote a value Twilio signed, an SMS's Body say, and captured
	// the signed request, can make its AccountSid another well-formed SID.
	// Optional. Default "": the signed AccountSid, whatever it is.
	AccountSid string
	// MaxBodyBytes bounds the body read for verification; a larger body
	// does not verify. At most MaxBodyBytesLimit. Optional. Default
	// DefaultMaxBodyBytes.
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
	scratch sync.Pool // of *scratch, holding one HMAC state per token
	// spare is one scratch memory kept out of the pool: the pool empties
	// at every garbage collection (which a busy server runs often), and a
	// new scratch memory must grow its buffers and sort afresh. spare is
	// taken and given back with one atomic swap; concurrent verifications
	// use the pool.
	spare atomic.Pointer[scratch]

	b64     [256]byte // standard base64 digit values; invalid: 0xff
	keys    [][]byte
	public  []base // configured public base URLs, in order; nil: from the request
	proxies []netip.Prefix
	maxBody int64
	observe func(*http.Request, Verification)
	pinned  string                 // TwilioConfig.AccountSid
	account atomic.Pointer[string] // see accountPrincipal
}

// ErrAccountSid is returned by NewTwilioSignature for an AccountSid that
// is not "AC" and 32 lower-case hex digits.
var ErrAccountSid = errors.New("authn: twilio: AccountSid must be AC and 32 lower-case hex digits")

// validAccountSid reports whether sid has the form of a Twilio account
// SID: "AC" and 32 lower-case hex digits.
func validAccountSid(sid string) bool {
	if len(sid) != 34 || sid[:2] != "AC" {
		return false
	}
	for i := 2; i < len(sid); i++ {
		if c := sid[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ErrTrustedProxy is returned, wrapped, by NewTwilioSignature for a
// trusted proxy prefix that is invalid or of length 0, and for prefixes
// that together cover every IPv4 or every IPv6 address (0.0.0.0/1 and
// 128.0.0.0/1), as a prefix of length 0 does.
var ErrTrustedProxy = errors.New("authn: twilio: a trusted proxy must be a valid prefix of length 1 or more")

// trustedPrefix returns p as trustedPeer matches it: masked, and an
// IPv4-mapped prefix of 96 bits or more in its IPv4 form, since a peer's
// address is unmapped before it is looked up (an IPv4 peer on a
// dual-stack socket shows as ::ffff:a.b.c.d). A shorter one reaches
// beyond the mapped range and is kept as written.
func trustedPrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return p, fmt.Errorf("%w: got %s", ErrTrustedProxy, p)
	}
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	if p.Bits() == 0 {
		return p, fmt.Errorf("%w: %s would trust every peer", ErrTrustedProxy, p)
	}
	return p, nil
}

// coversAll reports whether prefixes together contain every address of
// root: one of them contains it whole, or it splits into two halves that
// are each covered. It splits only where a prefix lies inside it, so its
// cost grows with the number of prefixes times their length (quadratic in
// their number at worst: 16,000 host addresses take about a second). (config refuses the same sets with an
// error of its own; it may not import this package.)
func coversAll(prefixes []netip.Prefix, root netip.Prefix) bool {
	inside := false
	for _, p := range prefixes {
		switch {
		case p.Addr().Is4() != root.Addr().Is4():
		case p.Bits() <= root.Bits() && p.Contains(root.Addr()):
			return true
		case p.Bits() > root.Bits() && root.Contains(p.Addr()):
			inside = true
		}
	}
	if !inside {
		return false
	}
	b := root.Addr().AsSlice()
	b[root.Bits()/8] |= 0x80 >> (root.Bits() % 8)
	high, _ := netip.AddrFromSlice(b)
	half := root.Bits() + 1
	return coversAll(prefixes, netip.PrefixFrom(root.Addr(), half)) && coversAll(prefixes, netip.PrefixFrom(high, half))
}

// ErrNoToken is returned by NewTwilioSignature when no auth token is given.
var ErrNoToken = errors.New("authn: twilio: no auth token configured")

// ErrPublicURL is returned by NewTwilioSignature for a public URL that is
// not an absolute http or https URL without query or fragment. The error
// never quotes the URL, which may carry a password.
var ErrPublicURL = errors.New("authn: twilio: public URL must be an absolute http or https URL without query or fragment")

// MaxBodyBytesLimit is the largest TwilioConfig.MaxBodyBytes that
// NewTwilioSignature accepts, 1 GiB: the verifier locates the names and
// values of a body by 32-bit offsets. A server should set far less: it
// holds a body several times over while it checks it.
const MaxBodyBytesLimit = 1 << 30

// ErrMaxBodyBytes is returned, wrapped, by NewTwilioSignature for a
// MaxBodyBytes above MaxBodyBytesLimit.
var ErrMaxBodyBytes = errors.New("authn: twilio: MaxBodyBytes is above the limit of 1073741824 bytes (1 GiB)")

// NewTwilioSignature validates cfg and returns the policy.
func NewTwilioSignature(cfg TwilioConfig) (*TwilioSignature, error) {
	if cfg.MaxBodyBytes > MaxBodyBytesLimit {
		return nil, fmt.Errorf("%w: got %d", ErrMaxBodyBytes, cfg.MaxBodyBytes)
	}
	if cfg.AccountSid != "" && !validAccountSid(cfg.AccountSid) {
		return nil, ErrAccountSid // never quoted: it may be a token pasted into the wrong field
	}
	t := &TwilioSignature{maxBody: cfg.MaxBodyBytes, observe: cfg.Observe, pinned: cfg.AccountSid}
	for _, p := range cfg.TrustedProxies {
		p, err := trustedPrefix(p)
		if err != nil {
			return nil, err
		}
		t.proxies = append(t.proxies, p)
	}
	for _, all := range []netip.Prefix{netip.PrefixFrom(netip.IPv4Unspecified(), 0), netip.PrefixFrom(netip.IPv6Unspecified(), 0)} {
		if coversAll(t.proxies, all) {
			return nil, fmt.Errorf("%w: together the prefixes cover %s, and would trust every peer", ErrTrustedProxy, all)
		}
	}
	for i := range t.b64 {
		t.b64[i] = 0xff
	}
	for i, c := range []byte(b64Alphabet) {
		t.b64[c] = byte(i)
	}
	if t.maxBody <= 0 {
		t.maxBody = DefaultMaxBodyBytes
	}
	for _, tok := range cfg.AuthTokens {
		if tok != "" {
			t.keys = append(t.keys, []byte(tok))
		}
	}
	if len(t.keys) == 0 {
		return nil, ErrNoToken
	}
	var publics []string
	if cfg.PublicURL != "" {
		publics = append(publics, cfg.PublicURL)
	}
	publics = append(publics, cfg.PublicURLs...)
	for _, raw := range publics {
		b, err := parseBase(raw)
		if err != nil {
			return nil, err
		}
		t.public = append(t.public, b)
	}
	t.scratch.New = func() any {
		s := &scratch{macs: make([]hash.Hash, len(t.keys))}
		for i, k := range t.keys {
			s.macs[i] = hmac.New(sha1.New, k)
		}
		return s
	}
	return t, nil
}

// scratch is the per-verification working memory, pooled so that a
// verification allocates only what outlives it.
type scratch struct {
	macs   []hash.Hash // one HMAC-SHA1 state per token, in token order
	buf    []byte      // the first candidate URL, the body as read, then decoded names and values
	params []param     // the body's parameters, located in buf
	order  []int32     // indices of params in signing order; the next sort's first guess
	keys   []uint64    // sortSpans's scratch
	// msg is the string to sign, hashed with one Write: room for the
	// longest candidate URL, then the body part. Each candidate URL is
	// written into the room, flush against the body part.
	msg  []byte
	sum  [sha1.Size]byte
	want [sha1.Size]byte
}

// getScratch takes the spare scratch memory, or one from the pool.
func (t *TwilioSignature) getScratch() *scratch {
	if st := t.spare.Swap(nil); st != nil {
		return st
	}
	return t.scratch.Get().(*scratch)
}

// Bounds of a scratch that may be kept as the spare, which garbage
// collection never frees: a scratch grown by a large body goes back to the
// pool, which it does.
const (
	spareMaxBytes  = 64 << 10
	spareMaxParams = 2048
)

// poolMaxBytes bounds the buffers of a scratch given back to the pool: a
// larger one is dropped, so that a large body's memory is freed at the next
// collection rather than kept, at most two collections, for the rare next
// large body. (Its parameters are bounded by maxFormPairs.)
const poolMaxBytes = 1 << 20

// putScratch gives st back: as the spare if there is none and st is
// small, else to the pool, without any buffer above poolMaxBytes.
func (t *TwilioSignature) putScratch(st *scratch) {
	if cap(st.buf) > poolMaxBytes {
		st.buf = nil
	}
	if cap(st.msg) > poolMaxBytes {
		st.msg = nil
	}
	small := cap(st.buf) <= spareMaxBytes && cap(st.msg) <= spareMaxBytes && cap(st.params) <= spareMaxParams
	if !small || !t.spare.CompareAndSwap(nil, st) {
		t.scratch.Put(st)
	}
}

// Principals returns [TwilioGroup], plus "account:<AccountSid>" when the
// signed parameters carry an AccountSid (the configured one, when
// TwilioConfig.AccountSid is set), if r's signature verifies, and nothing
// otherwise. It never returns an error.
//
// When a form body verifies, Principals also sets r.PostForm to exactly
// the parameters that were verified, in the order sent, so that the view
// reads the signed values themselves rather than the result of a second
// parse that could disagree with the first (net/http's drops a pair that
// holds a ';', which Twilio signs as any other byte), and the body is not
// parsed twice. r.Form is left alone: ParseForm fills it from r.PostForm
// and the query when asked. Like net/http's parse, this one takes at most
// net/url's limit of 10,000 pairs (a body with more does not verify:
// malformed_body), and a later ParseForm no longer reports a malformed
// Content-Type parameter.
func (t *TwilioSignature) Principals(r *http.Request) ([]string, error) {
	v := t.verify(r, true)
	if t.observe != nil {
		t.observe(r, v)
	}
	if !v.Valid {
		return nil, nil
	}
	if v.AccountSid != "" && (t.pinned == "" || v.AccountSid == t.pinned) {
		return []string{TwilioGroup, t.accountPrincipal(v.AccountSid)}, nil
	}
	return []string{TwilioGroup}, nil
}

// accountPrincipal returns AccountPrefix + sid. It remembers the last one
// (a server usually serves one account), compared in full, so that the
// requests of one account share one string.
func (t *TwilioSignature) accountPrincipal(sid string) string {
	if p := t.account.Load(); p != nil && (*p)[len(AccountPrefix):] == sid {
		return *p
	}
	p := AccountPrefix + sid
	t.account.Store(&p)
	return p
}

// Verify checks r's X-Twilio-Signature and says why it did or did not
// verify. Verify leaves r.Body readable from the start: the view reads the
// same bytes that were verified (or, if the body could not be read, the
// same error).
//
// The signature is checked against every candidate URL (see the package
// documentation) with every token. For each candidate, every token's MAC
// is computed and compared in constant time; the candidates are tried in a
// fixed order and the first that matches ends the search, so the time taken
// depends on the request's URL and on whether it verified, never on how
// close a forged signature came.
func (t *TwilioSignature) Verify(r *http.Request) Verification {
	return t.verify(r, false)
}

// verify is Verify; with postForm, a verified form body's parameters also
// go to r.PostForm (see Principals).
func (t *TwilioSignature) verify(r *http.Request, postForm bool) Verification {
	st := t.getScratch()
	defer t.putScratch(st)

	target := r.RequestURI
	if target == "" { // a client-side request, as in tests
		target = r.URL.RequestURI()
	}
	bases := t.public
	var own [1]base
	if bases == nil {
		own[0] = t.requestBase(r)
		bases = own[:]
	}

	// The header first: a request without a signature proves nothing, and
	// its body is left unread for whoever comes next (another policy of a
	// Multi, the view), whatever its size.
	var v Verification
	sigs := r.Header[SignatureHeader] // the key is canonical already
	if len(sigs) == 0 || sigs[0] == "" && len(sigs) == 1 {
		v.Reason, v.URL = ReasonMissingHeader, firstCandidate(st, bases[0], target)
		return v
	}
	if len(sigs) != 1 || !decodeSignature(&t.b64, sigs[0], &st.want) {
		v.Reason, v.URL = ReasonMalformedHeader, firstCandidate(st, bases[0], target)
		return v
	}
	body, at, bodyErr := t.readBody(r, st, bases[0], target, &v)
	if bodyErr != nil {
		v.Reason = bodyErrorReason(bodyErr)
		return v
	}

	room := 0 // the longest candidate URL
	for _, b := range bases {
		room = max(room, b.maxLen())
	}
	room += len(target)
	st.msg = slices.Grow(st.msg[:0], room)[:room] // appendParams makes room for a form body's part
	form := false
	var fbuf []byte // a form body, then its decoded names and values
	ct := ""
	if cts := r.Header["Content-Type"]; len(cts) > 0 {
		ct = cts[0]
	}
	// A JSON webhook's URL ends with the bodySHA256 pair that Twilio
	// appends to its query: that URL alone is signed, and the body is
	// bound to it by its hash. bodySHA256 anywhere else, or with a body
	// that is not JSON, is refused: a form webhook's string to sign, sent
	// whole as a request target, is a URL that Twilio signed, and a value
	// the sender chose (an SMS Body) could put a bodySHA256 pair in its
	// query, which would admit any body at all. Refusing it with another
	// Content-Type also keeps a relabelled request from stripping the
	// hash check.
	_, query, _ := strings.Cut(target, "?")
	sum, hashed := finalBodyHash(query)
	switch mt := mediaType(ct); {
	case hashed && mt != "application/json", !hashed && queryHas(query, bodyHashName):
		v.Reason = ReasonBodyHashMismatch
		return v
	case hashed:
		if !bodyHashMatches(sum, st.buf[at:at+len(body)]) {
			v.Reason = ReasonBodyHashMismatch
			return v
		}
	case mt == "application/x-www-form-urlencoded":
		if r.Method != http.MethodPost && len(body) > 0 {
			v.Reason = ReasonUnexpectedBody
			return v
		}
		var err error
		fbuf, st.params, err = parseParams(st.buf[at:], len(body), maxFormPairs, st.params[:0])
		if err != nil {
			v.Reason = ReasonMalformedBody
			return v
		}
		st.order, st.keys = sortSpans(fbuf, st.params, st.order, st.keys)
		st.msg = appendParams(st.msg, fbuf, len(body), st.params, st.order)
		form = true
	case mt == "application/json":
		v.Reason = ReasonBodyHashMissing
		return v
	case len(body) > 0:
		v.Reason = ReasonUnexpectedBody
		return v
	}

	start, first, ok := t.match(st, bases, target, room)
	if !ok {
		v.Reason = ReasonNoMatch
		return v
	}
	if !first {
		v.URL = string(st.msg[start:room])
	}
	v.Valid, v.Reason = true, ReasonValid
	if form {
		v.AccountSid = formAccountSid(body, fbuf, st.params)
		if postForm {
			r.PostForm = verifiedForm(body, fbuf, st.params, st.order)
		}
	} else {
		v.AccountSid = queryAccountSid(query)
	}
	return v
}

// match tries every candidate URL in order, writing each into the room
// at the start of st.msg, flush against the body part that follows at
// room. It leaves the one that matched in st.msg[start:room]. first
// reports that it was the first candidate.
func (t *TwilioSignature) match(st *scratch, bases []base, target string, room int) (start int, first, ok bool) {
	targets, nt := targetSpellings(target)
	n := 0
	for _, b := range bases {
		ports, np := b.portSpellings()
		for _, port := range ports[:np] {
			for _, tg := range targets[:nt] {
				start = room - b.urlLen(port, tg)
				b.appendURL(st.msg[start:start], port, tg) // in place: it fills st.msg[start:room]
				if t.signs(st, st.msg[start:]) {
					return start, n == 0, true
				}
				n++
			}
		}
	}
	return 0, false, false
}

// signs reports whether any token signs msg to st.want. Every token is
// tried, and each MAC compared in constant time, so timing does not reveal
// which one matched, nor how close a forged signature came.
// TestSecretComparisonsConstantTime holds it to that.
func (t *TwilioSignature) signs(st *scratch, msg []byte) bool {
	ok := 0
	for _, mac := range st.macs {
		mac.Reset()
		mac.Write(msg)
		mac.Sum(st.sum[:0])
		ok |= subtle.ConstantTimeCompare(st.sum[:], st.want[:])
	}
	return ok == 1
}

// formAccountSid returns the AccountSid of a verified form body: none if
// the name is absent or carries two different values.
func formAccountSid(body string, buf []byte, params []param) string {
	const name = "AccountSid"
	const key = uint64('A')<<56 | uint64('c')<<48 | uint64('c')<<40 | uint64('o')<<32 |
		uint64('u')<<24 | uint64('n')<<16 | uint64('t')<<8 | uint64('S') // prefixKey of name
	found := -1
	for i, p := range params {
		if p.key != key || string(buf[p.n0:p.n1]) != name {
			continue
		}
		if found >= 0 && string(buf[p.v0:p.v1]) != string(buf[params[found].v0:params[found].v1]) {
			return ""
		}
		if found < 0 {
			found = i
		}
	}
	if found < 0 {
		return ""
	}
	p := params[found]
	if v := body[p.v0:p.v1]; string(buf[p.v0:p.v1]) == v {
		return v // as sent: shares the body's memory
	}
	return string(buf[p.v0:p.v1])
}

// verifiedForm returns the parameters of a verified form body as
// url.Values, each name's values in the order sent. buf holds the body
// with its names and values decoded in place: the names and values share
// the body's memory if nothing was decoded, else one copy of buf. order
// is the signing order (sortSpans), in which the pairs of one name are
// next to each other: each name is stored with one map assignment, and
// its values take one run of a single slice, in body order.
func verifiedForm(body string, buf []byte, params []param, order []int32) url.Values {
	src := body
	if string(buf[:len(body)]) != body {
		src = string(buf[:len(body)])
	}
	values := make([]string, len(params))
	form := make(url.Values, len(params))
	k := 0
	for i := 0; i < len(order); {
		p := &params[order[i]]
		name := src[p.n0:p.n1]
		j := i + 1
		for j < len(order) {
			q := &params[order[j]]
			if q.key != p.key || src[q.n0:q.n1] != name {
				break
			}
			j++
		}
		run := order[i:j]
		if len(run) > 1 {
			// Sorted by value: back to body order, which is index order
			// (a copy: order is the next sort's first guess).
			run = slices.Clone(run)
			slices.Sort(run)
		}
		for m, x := range run {
			q := &params[x]
			values[k+m] = src[q.v0:q.v1]
		}
		form[name] = values[k : k+len(run) : k+len(run)]
		k += len(run)
		i = j
	}
	return form
}

// queryAccountSid returns the AccountSid of a verified GET or JSON request,
// from its (signed) query.
func queryAccountSid(query string) string {
	sid, _ := queryValue(query, "AccountSid")
	sid, err := url.QueryUnescape(sid)
	if err != nil {
		return ""
	}
	return sid
}

// bodyErrorReason classifies the error that ended reading a body.
func bodyErrorReason(err error) Reason {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, errBodyTooLarge) {
		return ReasonBodyTooLarge
	}
	return ReasonBodyUnreadable
}

// errBodyTooLarge is what readBody reports, and what the view reads, when
// the body is longer than the limit.
var errBodyTooLarge = errors.New("authn: twilio: request body too large")

// firstCandidate returns the first candidate URL, as readBody sets it,
// for a request whose body is not read.
func firstCandidate(st *scratch, b base, target string) string {
	st.buf = b.appendURL(st.buf[:0], b.port, target)
	return string(st.buf)
}

// readBody reads the body up to the limit into st.buf, after the first
// candidate URL, and puts it back for the view: the bytes read, followed
// by the error that ended the read, if any. It sets v.URL to the first
// candidate URL, which shares one allocation with the replayed body, and
// returns the body and where it starts in st.buf, which has a word of
// capacity past it for parseParams.
//
// The memory grows with the bytes that arrive, not with the length the
// client announces: at first to at most preGrowMax bytes, and then each
// time to four times what has arrived (but not past the announced length),
// so that a client that announces more than it sends holds at most four
// times what it sent, and a large body is copied about a third of its size
// as its buffer grows.
func (t *TwilioSignature) readBody(r *http.Request, st *scratch, b base, target string, v *Verification) (string, int, error) {
	buf := b.appendURL(st.buf[:0], b.port, target)
	at := len(buf)
	if r.Body == nil || r.Body == http.NoBody {
		v.URL = string(buf)
		st.buf = buf
		return "", at, nil
	}
	limit := at + int(t.maxBody) + 1 // maxBody <= MaxBodyBytesLimit: no overflow
	full := limit + 8                // the most buf ever needs: a body past the limit by a byte, and a word
	if n := r.ContentLength; n >= 0 && n <= t.maxBody {
		// n+1 to read the EOF, and a word for parseParams.
		full = at + int(n) + 9
		buf = reserve(buf, min(int(n), preGrowMax)+9)
	}
	var err error
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			grow := max(3*len(buf), 512)
			if full > len(buf) {
				grow = min(grow, full-len(buf))
			}
			buf = growExact(buf, grow)
		}
		var n int
		n, err = r.Body.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			break
		}
	}
	if err == nil && len(buf)-at > int(t.maxBody) {
		// Also when the byte past the limit came with io.EOF.
		err = errBodyTooLarge
	}
	if cap(buf)-len(buf) < 8 {
		buf = growExact(buf, 8)
	}
	st.buf = buf
	r.Body.Close()

	s := string(buf)
	v.URL, s = s[:at], s[at:]
	if s == "" && err == nil {
		r.Body = http.NoBody
		return s, at, nil
	}
	rb := &replayBody{err: err}
	rb.Reset(s)
	r.Body = rb
	return s, at, err
}

// preGrowMax bounds the memory that readBody sets aside for a body before
// its bytes arrive: enough for any of Twilio's form webhooks (a voice
// webhook is under 1 KiB), and little enough that connections which
// announce a large body, with any well-formed signature, and send nothing
// (a forger needs no token for that) each hold little more than net/http's
// own buffers until the read timeout.
const preGrowMax = 4 << 10

// reserve returns buf with room for n more bytes: buf itself if it has
// the room, else a copy of it with that room (see growExact).
func reserve(buf []byte, n int) []byte {
	if cap(buf)-len(buf) >= n {
		return buf
	}
	return growExact(buf, n)
}

// growExact returns a copy of buf with room for n more bytes, and no more
// room than that (up to the allocator's size classes), unlike append's
// growth, which may add a quarter of a large buffer.
func growExact(buf []byte, n int) []byte {
	grown := make([]byte, len(buf), len(buf)+n)
	copy(grown, buf)
	return grown
}

// replayBody replays a body that was read for verification, then the error
// that ended that read (io.EOF if none).
type replayBody struct {
	strings.Reader
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

// b64Alphabet is the standard base64 alphabet, in digit order.
const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeSignature decodes s, which must be the canonical standard base64
// of 20 bytes: 27 digits and one '=', the spare bits of the last digit
// zero, so that one signature has exactly one accepted spelling (what
// base64.StdEncoding.Strict() accepts for 20 bytes). val holds each
// digit's value and 0xff for any other byte.
func decodeSignature(val *[256]byte, s string, dst *[sha1.Size]byte) bool {
	if len(s) != 28 || s[27] != '=' {
		return false
	}
	var bad byte
	for i := range 6 { // 24 digits: 18 bytes
		a, b, c, d := val[s[4*i]], val[s[4*i+1]], val[s[4*i+2]], val[s[4*i+3]]
		bad |= a | b | c | d
		x := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		dst[3*i], dst[3*i+1], dst[3*i+2] = byte(x>>16), byte(x>>8), byte(x)
	}
	a, b, c := val[s[24]], val[s[25]], val[s[26]]
	bad |= a | b | c
	x := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6
	dst[18], dst[19] = byte(x>>16), byte(x>>8)
	return bad&0xc0 == 0 && c&3 == 0
}

// bodyHashMatches reports whether hexSum, in either case, is the SHA-256
// of body.
func bodyHashMatches(hexSum string, body []byte) bool {
	var want [sha256.Size]byte
	if len(hexSum) != 2*sha256.Size {
		return false
	}
	for i := range want {
		hi, lo := hexSum[2*i], hexSum[2*i+1]
		if !ishex(hi) || !ishex(lo) {
			return false
		}
		want[i] = unhex(hi)<<4 | unhex(lo)
	}
	got := sha256.Sum256(body)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// mediaType returns the lower-cased media type of a Content-Type value,
// without parameters.
func mediaType(ct string) string {
	if ct == "application/x-www-form-urlencoded" {
		return ct // Twilio's, as sent: no need to look further
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// bodyHashName is the query parameter that carries a JSON body's hash.
const bodyHashName = "bodySHA256"

// finalBodyHash returns the raw value of the bodySHA256 pair that ends a
// raw query, as Twilio appends it, if the name occurs nowhere else in it.
func finalBodyHash(query string) (string, bool) {
	rest, last := "", query
	if i := strings.LastIndexByte(query, '&'); i >= 0 {
		rest, last = query[:i], query[i+1:]
	}
	name, sum, ok := strings.Cut(last, "=")
	if !ok || name != bodyHashName || queryHas(rest, bodyHashName) {
		return "", false
	}
	return sum, true
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

// queryHas reports whether the raw query has a parameter with the raw
// name.
func queryHas(query, name string) bool {
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if k, _, _ := strings.Cut(pair, "="); k == name {
			return true
		}
	}
	return false
}

var _ Policy = (*TwilioSignature)(nil)

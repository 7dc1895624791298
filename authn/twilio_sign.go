package authn

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"net/url"
	"slices"
	"strings"
)

// ErrMalformedForm is returned by ParseForm for a body that is not valid
// application/x-www-form-urlencoded data.
var ErrMalformedForm = errors.New("authn: malformed form body")

// Param is one decoded name=value pair of a form body.
type Param struct {
	Name, Value string
}

// EncodeForm encodes params as an application/x-www-form-urlencoded body,
// in the given order, each name and value escaped as url.QueryEscape
// escapes them. ParseForm(EncodeForm(params)) returns params, except for
// pairs with an empty name.
func EncodeForm(params []Param) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

// ParseForm decodes an application/x-www-form-urlencoded body into its
// parameters, in body order. Pairs are separated by '&' only (a ';' is an
// ordinary character); empty pairs are skipped; a pair without '=' is a name
// with an empty value; '+' decodes to a space and %XX to its byte. Invalid
// percent-encoding is an error wrapping ErrMalformedForm.
func ParseForm(body []byte) ([]Param, error) {
	buf := slices.Clone(body)
	buf, ps, err := parseParams(buf, len(body), math.MaxInt32, nil)
	if err != nil {
		return nil, err
	}
	var params []Param
	for _, p := range ps {
		params = append(params, Param{Name: string(buf[p.n0:p.n1]), Value: string(buf[p.v0:p.v1])})
	}
	return params, nil
}

// param locates one decoded name=value pair in a buffer that holds the
// body with its escaped names and values decoded in place.
type param struct {
	key            uint64 // the name's first 8 bytes, big-endian: a sort accelerator
	n0, n1, v0, v1 int32
}

// Bytes repeated in every byte of a word, for finding a byte eight at a
// time.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	equals = '=' * ones
	amps   = '&' * ones
)

// zeroBytes flags the zero bytes of x: the high bit of each. It may also
// flag a byte above a zero byte, never one below, so that the lowest flag
// (the first byte of a little-endian word) is exact.
func zeroBytes(x uint64) uint64 {
	return (x - ones) &^ x & highs
}

// indexEqualsOrAmp returns the index of the first '=' or '&' in b at or
// after i, or len(b). It reads eight bytes at a time: the names and values
// of a webhook are short, too short for a call to bytes.IndexByte to pay.
func indexEqualsOrAmp(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := zeroBytes(w^equals) | zeroBytes(w^amps); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '=' || b[i] == '&' {
			return i
		}
	}
	return len(b)
}

// indexAmp returns the index of the first '&' in b at or after i, or
// len(b), as indexEqualsOrAmp does.
func indexAmp(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(b[i:]) ^ amps); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '&' {
			return i
		}
	}
	return len(b)
}

// maxFormPairs bounds the pairs of a form body that the verifier parses:
// net/url's limit, which net/http's own parse of a body applies. A body
// with more does not verify. Twilio sends a few dozen; the bound keeps the
// memory of a forged body of two-byte pairs ("a&a&...") a small multiple of
// its size.
const maxFormPairs = 10000

// parseParams parses the form body buf[:n], decoding escaped names and
// values in place, and appends the pairs, in body order, to params. It
// follows ParseForm's rules, and fails with ErrMalformedForm past maxPairs
// pairs. It overwrites the body in buf (decoding never lengthens a span,
// so a decoded span is written over its own escaped form, never over bytes
// still to be read) and leaves 8 bytes of capacity past it for
// appendParams, which reads whole words.
//
// Names and values, short in any real webhook, are scanned for their end
// eight bytes at a time, and the name's first word gives its sort key. '%'
// and '+' are looked for across the body, once per occurrence, so that a
// pair without escapes costs nothing more.
func parseParams(buf []byte, n, maxPairs int, params []param) ([]byte, []param, error) {
	buf = slices.Grow(buf[:n], 8)
	body := buf[:n:n]
	// room is how many pairs params takes before it must grow. It grows
	// once, when it first must (a pooled scratch memory has the room
	// already), to one pair per '&' that is left and one more, up to
	// maxPairs: then it never must again.
	params = params[:0]
	room := min(cap(params), maxPairs)
	pct, plus := -1, -1 // the next '%' and '+' at or after pos (n: none)
	for pos := 0; pos < n; {
		nameEnd := indexEqualsOrAmp(body, pos)
		if nameEnd == pos && body[pos] == '&' {
			pos++ // an empty pair
			continue
		}
		valStart, end := nameEnd, nameEnd // a pair without '='
		if nameEnd < n && body[nameEnd] == '=' {
			valStart = nameEnd + 1
			end = indexAmp(body, valStart)
		}
		key := uint64(0)
		if pos+8 <= n {
			key = bits.ReverseBytes64(binary.LittleEndian.Uint64(body[pos:]))
			if k := nameEnd - pos; k < 8 {
				key &^= ^uint64(0) >> (8 * k)
			}
		} else {
			key = prefixKey(body[pos:nameEnd])
		}
		if pct < pos {
			pct = indexFrom(body, pos, '%')
		}
		if plus < pos {
			plus = indexFrom(body, pos, '+')
		}
		n0, n1, v0, v1 := int32(pos), int32(nameEnd), int32(valStart), int32(end)
		if pct < nameEnd || plus < nameEnd {
			e, ok := decodeSpan(body, pos, nameEnd)
			if !ok {
				return buf, params, ErrMalformedForm
			}
			n1 = int32(e)
			key = prefixKey(body[pos:e])
		}
		if pct < end || plus < end {
			if pct < valStart {
				pct = indexFrom(body, valStart, '%')
			}
			if plus < valStart {
				plus = indexFrom(body, valStart, '+')
			}
			if pct < end || plus < end {
				e, ok := decodeSpan(body, valStart, end)
				if !ok {
					return buf, params, ErrMalformedForm
				}
				v1 = int32(e)
			}
		}
		if len(params) == room {
			if room == maxPairs {
				return buf, params, ErrMalformedForm
			}
			grown := make([]param, len(params), len(params)+min(bytes.Count(body[pos:], []byte{'&'})+1, maxPairs-len(params)))
			copy(grown, params)
			params, room = grown, min(cap(grown), maxPairs)
		}
		// Field by field into place (the capacity is there): a param
		// built on the stack is moved with loads that must wait for the
		// stores of its fields to retire.
		params = params[:len(params)+1]
		q := &params[len(params)-1]
		q.key, q.n0, q.n1, q.v0, q.v1 = key, n0, n1, v0, v1
		pos = end + 1
	}
	return buf, params, nil
}

// indexFrom returns the index of the first c in b at or after i, or len(b).
func indexFrom(b []byte, i int, c byte) int {
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return len(b)
}

// decodeSpan decodes b[i:j], which has escapes, in place, and returns the
// end of the decoded span, which starts at i. Decoding never lengthens: each
// byte is written at or before the one it comes from, after that one has
// been read.
func decodeSpan(b []byte, i, j int) (int, bool) {
	n := i
	for k := i; k < j; k++ {
		c := b[k]
		switch c {
		case '+':
			c = ' '
		case '%':
			if k+2 >= j || !ishex(b[k+1]) || !ishex(b[k+2]) {
				return n, false
			}
			c = unhex(b[k+1])<<4 | unhex(b[k+2])
			k += 2
		}
		b[n] = c
		n++
	}
	return n, true
}

// prefixKey packs the first 8 bytes of name, zero-padded, big-endian: two
// names whose keys differ compare as their keys do.
func prefixKey(name []byte) uint64 {
	if len(name) >= 8 {
		return binary.BigEndian.Uint64(name)
	}
	var b [8]byte
	copy(b[:], name)
	return binary.BigEndian.Uint64(b[:])
}

// compareParams orders params as Twilio signs them: by name, then by
// value, byte-wise.
func compareParams(buf []byte, a, b param) int {
	if a.key != b.key {
		if a.key < b.key {
			return -1
		}
		return 1
	}
	if c := bytes.Compare(buf[a.n0:a.n1], buf[b.n0:b.n1]); c != 0 {
		return c
	}
	return bytes.Compare(buf[a.v0:a.v1], buf[b.v0:b.v1])
}

// sortSpans returns the indices of params in the order compareParams
// sorts them, in order[:0], using keys as scratch.
//
// If order already holds as many indices as there are params (the order
// that the last verification sorted, kept with the scratch memory), it is
// tried first: webhooks of one kind arrive with the same parameters in
// the same order, and checking that an order is sorted takes one
// comparison per parameter. The check is exact (each neighbour pair in
// order), so a stale order is never used: it is sorted afresh. Only
// sortSpans writes order, always a permutation of the indices of params:
// one of as many indices as params is a permutation of them.
//
// To sort the few parameters of a webhook it sorts plain integers: each
// holds a name's first 7 bytes above the parameter's index, so that one
// integer comparison orders most pairs; names that share their first 7
// bytes end up next to each other, and are then ordered by compareParams.
func sortSpans(buf []byte, params []param, order []int32, keys []uint64) ([]int32, []uint64) {
	if len(order) == len(params) && sortedBy(buf, params, order) {
		return order, keys
	}
	if cap(order) < len(params) {
		order = make([]int32, 0, len(params))
	}
	order = order[:0]
	if len(params) > 255 {
		for i := range params {
			order = append(order, int32(i))
		}
		slices.SortFunc(order, func(a, b int32) int { return compareParams(buf, params[a], params[b]) })
		return order, keys
	}
	if cap(keys) < len(params) {
		keys = make([]uint64, 0, len(params))
	}
	keys = keys[:0]
	for i, p := range params {
		keys = append(keys, p.key&^0xff|uint64(i))
	}
	if len(keys) > 48 {
		slices.Sort(keys)
	} else {
		for i := 1; i < len(keys); i++ {
			k := keys[i]
			j := i
			for ; j > 0 && keys[j-1] > k; j-- {
				keys[j] = keys[j-1]
			}
			keys[j] = k
		}
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j]>>8 == keys[i]>>8 {
			j++
		}
		if j-i > 1 {
			run := keys[i:j]
			slices.SortFunc(run, func(a, b uint64) int { return compareParams(buf, params[a&0xff], params[b&0xff]) })
		}
		i = j
	}
	for _, k := range keys {
		order = append(order, int32(k&0xff))
	}
	return order, keys
}

// sortedBy reports whether params taken in order are sorted by
// compareParams.
func sortedBy(buf []byte, params []param, order []int32) bool {
	if len(order) == 0 {
		return true
	}
	prev := &params[order[0]]
	for _, x := range order[1:] {
		p := &params[x]
		if prev.key > p.key || prev.key == p.key && compareParams(buf, *prev, *p) > 0 {
			return false
		}
		prev = p
	}
	return true
}

// appendParams appends the body part of the string to sign: the name and
// value of every param in sorted order, each distinct pair once.
//
// bodyLen, the length of the raw body, bounds what it appends: decoding
// never lengthens, and the '=' and '&' are not signed.
//
// buf must have 8 bytes of capacity past the body, as parseParams leaves
// it: names and values are copied a word at a time, which is much
// faster than a call to copy for each of these short strings.
func appendParams(dst, buf []byte, bodyLen int, params []param, order []int32) []byte {
	d := len(dst)
	out := reserve(dst, bodyLen+8)
	out = out[:cap(out)]
	src := buf[:cap(buf)]
	var prev *param // the last pair appended
	for _, x := range order {
		p := &params[x]
		if prev != nil && prev.key == p.key && compareParams(buf, *prev, *p) == 0 {
			continue
		}
		prev = p
		d = copyWords(out, d, src, int(p.n0), int(p.n1))
		d = copyWords(out, d, src, int(p.v0), int(p.v1))
	}
	return out[:d]
}

// copyWords copies src[i:j] to dst at d and returns the end of the copy.
// It copies whole words: it reads up to 7 bytes past j and overwrites up
// to 7 bytes past the end of the copy, which both slices must hold.
func copyWords(dst []byte, d int, src []byte, i, j int) int {
	end := d + j - i
	for ; i < j; i, d = i+8, d+8 {
		binary.LittleEndian.PutUint64(dst[d:], binary.LittleEndian.Uint64(src[i:]))
	}
	return end
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// sortParams sorts params in the order Twilio signs them: by name, then by
// value, byte-wise; a pair that repeats exactly is kept once.
func sortParams(params []Param) []Param {
	slices.SortFunc(params, func(a, b Param) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return slices.Compact(params)
}

// StringToSign returns what Twilio signs for a request to rawURL whose form
// body carried params: the URL exactly as given, then every parameter's name
// and value, sorted by name and then value, each distinct pair once. For a
// GET or a JSON request params is empty and the URL alone is signed.
func StringToSign(rawURL string, params []Param) string {
	sorted := sortParams(slices.Clone(params))
	var b strings.Builder
	n := len(rawURL)
	for _, p := range sorted {
		n += len(p.Name) + len(p.Value)
	}
	b.Grow(n)
	b.WriteString(rawURL)
	for _, p := range sorted {
		b.WriteString(p.Name)
		b.WriteString(p.Value)
	}
	return b.String()
}

// Sign returns the X-Twilio-Signature value that Twilio sends with a
// request to rawURL carrying the form parameters params, signed with token.
func Sign(token, rawURL string, params []Param) string {
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(StringToSign(rawURL, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ParamsFromValues converts url.Values to params, for callers that already
// hold parsed values. The order of the result is irrelevant to signing.
func ParamsFromValues(v url.Values) []Param {
	var params []Param
	for name, values := range v {
		for _, value := range values {
			params = append(params, Param{Name: name, Value: value})
		}
	}
	return params
}

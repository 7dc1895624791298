package policies

import (
	"errors"
	"fmt"
)

// Sentinel errors classify the problems that Parse, LoadFile and LoadModel
// report. Match them with errors.Is. A problem in a policy file comes in a
// *LineError that carries its file and line.
var (
	// ErrRowType reports a row whose first field is neither "p" nor "g".
	ErrRowType = errors.New("unknown row type")
	// ErrFieldCount reports a row with the wrong number of fields.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrEmptyField reports a field that is empty after trimming.
	ErrEmptyField = errors.New("empty field")
	// ErrEffect reports an effect other than exactly "allow" or "deny".
	ErrEffect = errors.New("invalid effect")
	// ErrResource reports a resource that is not a clean slash path.
	ErrResource = errors.New("invalid resource")
	// ErrCharacter reports a field holding white space, a quote, a
	// non-printable character or invalid UTF-8.
	ErrCharacter = errors.New("invalid character")
	// ErrModel reports a model that Casbin cannot load or that lacks what
	// the authz package needs.
	ErrModel = errors.New("invalid model")

	// ErrSystemGroup reports a g row whose group is a system principal:
	// g, system.Everyone, system.Authenticated would make every request
	// authenticated. System principals come from authentication only.
	ErrSystemGroup = errors.New("system principal as a group")
	// ErrProvenGroup reports a g row whose group is a principal that only
	// a verified Twilio signature proves: group:twilio, or account:<sid>.
	// g, system.Everyone, group:twilio would let every unsigned request
	// in as Twilio.
	ErrProvenGroup = errors.New("authenticated principal as a group")
	// ErrUnknownSystem reports a principal in the system namespace other
	// than system.Everyone and system.Authenticated, in a p row or as a g
	// row's member: authentication never gives one, so the row could never
	// apply. It is most likely a misspelt system principal, and a misspelt
	// DENY_ALL (p, system.everyone, /admin, *, deny) would deny nothing.
	// Lint also reports, with it, a principal whose "system." prefix
	// differs only in case.
	ErrUnknownSystem = errors.New("unknown system principal")
	// ErrNoRules reports a policy file without a single p row. Such a
	// policy would deny everything, which is never what an operator
	// means: it is a file caught while being written, or the wrong file.
	// Denying everything on purpose is one row: p, system.Everyone, /, *, deny.
	ErrNoRules = errors.New("no p rows")

	// ErrDuplicate reports a row that repeats an earlier row (Lint).
	ErrDuplicate = errors.New("duplicate row")
	// ErrShadowed reports a p row that can never decide, because an
	// earlier row always applies first (Lint).
	ErrShadowed = errors.New("shadowed row")
	// ErrSelfMember reports a g row whose member is its group (Lint).
	ErrSelfMember = errors.New("member of itself")
	// ErrExpect reports an expectation other than allow or deny in a
	// policy test file.
	ErrExpect = errors.New("invalid expectation")
	// ErrPermission reports a question about permission *, which rows
	// grant but nobody asks for, in a policy test file.
	ErrPermission = errors.New("invalid permission")
	// ErrNoTests reports a policy test file without a single test row,
	// which would pass whatever the policy says.
	ErrNoTests = errors.New("no test rows")
	// ErrSystemPrincipal reports a principal of the system. namespace in
	// a policy test row: a row lists what a request proved, and the
	// system principals are added as authentication adds them.
	ErrSystemPrincipal = errors.New("system principal in a test row")
)

// LineError reports one problem found on one line of a policy file.
type LineError struct {
	File string // name of the file, as given to Parse
	Line int    // 1-based line number
	Err  error  // the problem; wraps one of the sentinel errors
}

// Error renders the problem as "policies: FILE:LINE: PROBLEM".
func (e *LineError) Error() string {
	return fmt.Sprintf("policies: %s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the problem, so errors.Is finds the sentinel behind it.
func (e *LineError) Unwrap() error { return e.Err }

// problem is a sentinel error with a message written for the line at hand:
// its text is the message alone, and it unwraps to the sentinel.
type problem struct {
	kind error
	msg  string
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.kind }

func problemf(kind error, format string, args ...any) error {
	return &problem{kind: kind, msg: fmt.Sprintf(format, args...)}
}

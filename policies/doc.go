// Package policies holds Gatehouse's declarative policy files and loads them
// strictly.
//
// Two files describe authorization. The Casbin model (model.conf) fixes how
// a request is matched against rows; the access control list (policy.csv)
// lists the rows. Both are embedded as defaults ([DefaultModel],
// [DefaultPolicy]) and either can be replaced by a file on disk
// ([LoadModel], [LoadFile]). This package reads and checks the files; the
// authz package gives the rows their meaning.
//
// This documentation is for Go programmers. The guide for operators who
// write policy files is docs/policies.md in the Gatehouse repository: the
// format and its semantics with worked examples, and the gatehouse
// commands that explain, lint, test and deploy a policy.
//
// # Types
//
// [LoadFile] and [Parse] return a [File]: the file's Name, its Rules in
// file order (each a [Rule] that remembers its file and line), and the
// exact Duplicates it dropped. [File.Policy] and [File.Grouping] return
// the rows in the form that authz.NewCasbin takes:
//
//	m, err := policies.LoadModel("") // "": the embedded model
//	if err != nil {
//		return err
//	}
//	f, err := policies.LoadFile(path)
//	if err != nil {
//		return err // every problem, each a *LineError
//	}
//	acl, err := authz.NewCasbin(m, f.Policy(), f.Grouping())
//
// Every problem in a file is a [*LineError] carrying the file, the line and
// the problem, which wraps one of the sentinel errors ([ErrFieldCount],
// [ErrEffect], [ErrShadowed], ...) for errors.Is. [Lint] and [LintFile]
// return them as a list; [ParseTests] and [LoadTests] read policy test
// files into a [Test] per row.
//
// # The policy file
//
// A policy file has one row per line; blank lines and lines starting with #
// are ignored:
//
//	# Requests signed by Twilio may view every resource.
//	p, group:twilio, /, view, allow
//	p, system.Everyone, /admin, *, deny
//	g, account:AC123, group:customers
//
// A p row ([KindPolicy]) grants (allow) or refuses (deny) a permission on a
// resource to a principal; * in the permission column stands for every
// permission. A g row ([KindGrouping]) makes every request that has the
// member principal also have the group principal. Fields are trimmed and
// may not hold white space, quotes or control characters; the effect is
// exactly allow or deny; a resource is a clean slash path. See [Parse] for
// every rule.
//
// The authz package evaluates the rows as Pyramid evaluates ACLs. It walks
// the resource's lineage, from the resource up to "/"; at each resource,
// the first row in file order whose principal the request holds and whose
// permission is the one asked for, or *, decides; if none does anywhere,
// the request is denied. Groups apply transitively. A deny for
// system.Everyone with * (Pyramid's DENY_ALL) therefore ends the ACL of
// its resource.
//
// Four rules protect that evaluation from mistakes. A g row whose group
// is a system principal ("system.Everyone", "system.Authenticated") is
// refused ([ErrSystemGroup]): only authentication gives those. So is one
// whose group only a verified Twilio signature proves ("group:twilio",
// "account:<sid>", [ErrProvenGroup]): g, system.Everyone, group:twilio
// would let every unsigned request in as Twilio. A row
// naming any other principal with the "system." prefix is refused
// ([ErrUnknownSystem]): no request holds one, so it is a misspelling, and
// a misspelt DENY_ALL would deny nothing. A file
// without a single p row is refused ([ErrNoRules]): it would deny
// everything, and is far more likely a file caught mid-write than an
// intent. To deny everything on purpose, write the one row
//
//	p, system.Everyone, /, *, deny
//
// # Lint and policy tests
//
// [Lint] reports every problem that loading would, and also what loading
// accepts but an operator almost certainly did not mean: duplicate rows,
// rows that can never decide because an earlier row of the same resource
// always applies first, g rows that make a principal a member of itself,
// and principals that differ from a system principal only in case
// ("System.Everyone"), each with its file and line.
//
// A policy test file ([ParseTests], [LoadTests]) lists expected decisions,
// "expect, resource, permission[, principal ...]", so that a policy change
// can be tested like code; policy_test.csv tests the embedded default.
// The gatehouse policy test command runs such a file against a policy.
//
// The examples of [Parse] show a file loaded and a malformed one refused,
// [Lint] a file with a shadowed and a duplicate row, and [File.Grouping] a
// file's rows handed to authz.
//
// # Security
//
// Loading fails closed: a file with any malformed row is rejected as a
// whole, never loaded in part, and every problem is reported with its file
// and line (see LineError) so that an operator can fix them in one pass.
// Casbin's CSV adapters are not used: its string adapter ignores rows it
// cannot read, and both of its adapters accept an effect such as "Allow",
// which Casbin's enforcer then treats as neither allow nor deny and skips
// without a word. A model is accepted only if it has the request,
// policy, effect and matcher definitions that the authz package relies on
// for default deny and first-match evaluation.
package policies

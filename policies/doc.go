// Package policies holds Gatehouse's declarative policy files and loads them
// strictly.
//
// Two files describe authorization. The Casbin model (model.conf) fixes how
// a request is matched against rows; the access control list (policy.csv)
// lists the rows. Both are embedded as defaults (DefaultModel,
// DefaultPolicy) and either can be replaced by a file on disk (LoadModel,
// LoadFile).
//
// A policy file has one row per line; blank lines and lines starting with #
// are ignored:
//
//	# Requests signed by Twilio may view every resource.
//	p, group:twilio, /, view, allow
//	p, system.Everyone, /admin, *, deny
//	g, account:AC123, group:customers
//
// A p row grants (allow) or refuses (deny) a permission on a resource to a
// principal; * in the permission column stands for every permission. Within
// one resource, rows keep their file order, and the first row that applies
// to a request decides. A g row makes every request that has the member
// principal also have the group principal. The authz package gives these
// rows their meaning; this package only reads and checks them, and the
// application hands File.Policy and File.Grouping to authz.NewCasbin.
//
// Lint checks a policy file beyond what loading requires: duplicate rows,
// rows that can never decide because an earlier row of the same resource
// always applies first, and g rows that make a principal a member of
// itself, each reported with its file and line.
//
// A policy test file (ParseTests, LoadTests) lists expected decisions,
// "expect, resource, permission[, principal ...]", so that a policy change
// can be tested like code; policy_test.csv tests the embedded default.
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

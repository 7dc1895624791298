package authz

import "strings"

// Lineage returns the lineage of resource: the resource itself, then each
// ancestor up to the root "/". Lineage("/a/b") is ["/a/b", "/a", "/"].
// Lineage returns nil if resource is not a clean slash path: "/" or "/"
// followed by non-empty segments other than "." and "..", separated by
// single slashes, with no trailing slash.
func Lineage(resource string) []string {
	if !validResource(resource) {
		return nil
	}
	out := make([]string, 0, strings.Count(resource, "/")+1)
	for r, ok := resource, true; ok; r, ok = parent(r) {
		out = append(out, r)
	}
	return out
}

// parent returns the parent of a clean slash path, and false for the root.
func parent(resource string) (string, bool) {
	if resource == "/" {
		return "", false
	}
	i := strings.LastIndexByte(resource, '/')
	if i == 0 {
		return "/", true
	}
	return resource[:i], true
}

// validResource reports whether resource is a clean slash path; see Lineage.
func validResource(resource string) bool {
	if resource == "/" {
		return true
	}
	if !strings.HasPrefix(resource, "/") || strings.HasSuffix(resource, "/") {
		return false
	}
	for seg := range strings.SplitSeq(resource[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

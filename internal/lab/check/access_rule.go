package check

import (
	"fmt"
	"slices"
	"strings"
)

// accessRule is one parsed access rule.
type accessRule struct {
	text        string
	allow       bool
	verb        string
	group       string
	resource    string
	subresource string
	namespace   string // "-n NS": asked in NS instead of the probe's namespace
	allNS       bool   // "-A": asked across every namespace (what a ClusterRoleBinding grants)
}

var verbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*",
	"impersonate", "bind", "escalate", "use", "approve", "sign"}

// parseRule parses "VERB RESOURCE[.GROUP][/SUBRESOURCE] [-n NAMESPACE | -A]".
func parseRule(s string, allow bool) (accessRule, error) {
	f := strings.Fields(s)
	r := accessRule{text: s, allow: allow}
	switch {
	case len(f) == 3 && f[2] == "-A":
		r.allNS = true
	case len(f) == 4 && f[2] == "-n" && IsID(f[3]):
		r.namespace = f[3]
	case len(f) != 2:
		return r, fmt.Errorf("access rule %q: write VERB RESOURCE[.GROUP][/SUBRESOURCE], optionally followed by -n NAMESPACE or -A, e.g. \"list pods\", \"list secrets -A\"", s)
	}
	r.verb = f[0]
	if !slices.Contains(verbs, r.verb) {
		return r, fmt.Errorf("access rule %q: unknown verb %q", s, r.verb)
	}
	res := f[1]
	if res, sub, ok := strings.Cut(res, "/"); ok {
		r.subresource = sub
		f[1] = res
	}
	r.resource, r.group, _ = strings.Cut(f[1], ".")
	if r.resource == "" || strings.ToLower(r.resource) != r.resource {
		return r, fmt.Errorf("access rule %q: resource must be a lowercase plural such as pods", s)
	}
	return r, nil
}

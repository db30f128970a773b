// Package check is the lab grader: declarative checks over live cluster state. A check reads an
// object (or a label-selected list) through the dynamic client and evaluates a CEL expression
// (cel-go) over it, or runs one of three active probes: HTTP through a Service or Pod via the API
// server proxy, a SubjectAccessReview, or a short-lived probe pod that tries to reach a URL.
//
// Expressions are compiled when content loads (Compile), so a typo is a content error with
// file and line. Checks poll until they pass or their timeout ends; Grade runs them all, and a
// failing check never hides another.
package check

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Spec is one check as written in a lab bundle. Exactly one of Object, List, HTTP, Access,
// Connect and Traffic is set.
type Spec struct {
	ID      string `yaml:"id"`
	Message string `yaml:"message"` // the requirement, in the learner's words; shown with the result

	Object  *Target       `yaml:"object"`  // one named object; CEL sees it as `object`
	List    *Target       `yaml:"list"`    // objects of a kind, optionally label-selected; CEL sees `objects`
	HTTP    *HTTPProbe    `yaml:"http"`    // GET through the API server proxy; CEL sees `response`
	Access  *AccessProbe  `yaml:"access"`  // SubjectAccessReview
	Connect *ConnectProbe `yaml:"connect"` // a probe pod reaches a URL
	Traffic *TrafficProbe `yaml:"traffic"` // what the NetworkPolicies let in

	// Expect is a CEL expression that must be true. Defaults: object exists; list is not
	// empty; HTTP status is 200.
	Expect string `yaml:"expect"`
	// Observed is an optional CEL expression whose value is shown when the check fails
	// ("observed: 2"), to tell the learner what the cluster has.
	Observed string `yaml:"observed"`
	// With binds more lists for the expression, by variable name (e.g. nodes: {kind: Node}).
	With map[string]Target `yaml:"with"`
	// Timeout is how long the check keeps polling before it fails.
	Timeout Duration `yaml:"timeout"`
}

// Target names objects of one kind.
type Target struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`      // object checks
	Namespace  string `yaml:"namespace"` // default: the lab's namespace; ignored for cluster-scoped kinds
	Selector   string `yaml:"selector"`  // label selector, for lists
}

// HTTPProbe is a GET through the API server's proxy to a Service or a Pod, so it works from
// outside the cluster network and needs no Ingress.
type HTTPProbe struct {
	Service string `yaml:"service"`
	Pod     string `yaml:"pod"`
	Port    string `yaml:"port"` // number or name; for a Service, one of its ports
	Path    string `yaml:"path"`
}

// AccessProbe asks the API server whether a subject may do things (SubjectAccessReview).
// Rules are "VERB RESOURCE[.GROUP][/SUBRESOURCE]", e.g. "list pods", "create deployments.apps".
type AccessProbe struct {
	ServiceAccount string   `yaml:"serviceAccount"` // in the lab's namespace unless Namespace is set
	User           string   `yaml:"user"`
	Groups         []string `yaml:"groups"`
	Namespace      string   `yaml:"namespace"` // where the access is asked for; default the lab's
	Allow          []string `yaml:"allow"`     // each must be allowed
	Deny           []string `yaml:"deny"`      // each must be denied
}

// ConnectProbe starts a short-lived pod (the labapp image, in the lab's namespace, with Labels)
// that tries to reach URL (http://HOST[:PORT]/PATH or tcp://HOST:PORT).
type ConnectProbe struct {
	URL       string            `yaml:"url"`
	Labels    map[string]string `yaml:"labels"`
	Reachable *bool             `yaml:"reachable"` // default true
}

// TrafficProbe grades the namespace's NetworkPolicies by the traffic they admit: Pods labelled
// like each entry of To accept Pods of the lab's namespace labelled From on Ports, and nothing
// else (no other source, namespace, address or port). Without From they accept nothing at all.
type TrafficProbe struct {
	To    []map[string]string `yaml:"to"`    // destination Pods, by labels: the real ones and a new one
	From  map[string]string   `yaml:"from"`  // the only sources allowed ({}: any Pod of the namespace)
	Ports []string            `yaml:"ports"` // "8080" (TCP), "53/UDP": the only ports open to From
}

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: timeout %q: use a duration such as 10s or 1m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

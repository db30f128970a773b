package check

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Limits on checks.
const (
	DefaultTimeout = 5 * time.Second
	// MaxTimeout keeps a whole Check inside an HTTP request's time (the server's write timeout
	// is 60s): checks poll concurrently, so a lab takes about its slowest check.
	MaxTimeout = 40 * time.Second
	// costLimit bounds the work one evaluation may do: far above any sensible check over a
	// namespace's objects, far below a runaway comprehension.
	costLimit = 10_000_000
)

// Kind names the kinds of check.
type Kind string

// Check kinds.
const (
	KindObject  Kind = "object"
	KindList    Kind = "list"
	KindHTTP    Kind = "http"
	KindAccess  Kind = "access"
	KindConnect Kind = "connect"
	KindTraffic Kind = "traffic"
)

// FieldError is a problem with one field of a check spec. Field is a path under the check
// ("expect", "object.kind", "access.allow[1]") so the loader can point at its line.
type FieldError struct {
	Field string
	Msg   string
}

// Check is a compiled, ready-to-run check.
type Check struct {
	Spec
	Kind     Kind
	expect   cel.Program
	observed cel.Program
	withVars []string // sorted names of With
	rules    []accessRule
	timeout  time.Duration

	trafficTo    []map[string]string
	trafficFrom  map[string]string
	trafficPorts []netPort
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	varPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
)

// IsID reports whether s is a well-formed id of a lab, task or check: lowercase letters,
// digits and inner dashes.
func IsID(s string) bool { return idPattern.MatchString(s) }

// Compile validates a spec and compiles its expressions. It returns every problem found.
func Compile(s Spec) (*Check, []FieldError) {
	c := &Check{Spec: s, timeout: time.Duration(s.Timeout)}
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !idPattern.MatchString(s.ID) {
		add("id", "check id %q must be lowercase letters, digits and dashes", s.ID)
	}
	if strings.TrimSpace(s.Message) == "" {
		add("message", "check %s has no message: say what is required, in the learner's words", s.ID)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.timeout < 0 || c.timeout > MaxTimeout {
		add("timeout", "timeout must be between 0s and %s", MaxTimeout)
	}
	var kinds []Kind
	if s.Object != nil {
		kinds = append(kinds, KindObject)
	}
	if s.List != nil {
		kinds = append(kinds, KindList)
	}
	if s.HTTP != nil {
		kinds = append(kinds, KindHTTP)
	}
	if s.Access != nil {
		kinds = append(kinds, KindAccess)
	}
	if s.Connect != nil {
		kinds = append(kinds, KindConnect)
	}
	if s.Traffic != nil {
		kinds = append(kinds, KindTraffic)
	}
	if len(kinds) != 1 {
		add("id", "check %s must have exactly one of object, list, http, access, connect, traffic; has %d", s.ID, len(kinds))
		return nil, errs
	}
	c.Kind = kinds[0]
	vars := map[string]*cel.Type{"labNamespace": cel.StringType} // "namespace" is a reserved word in CEL
	switch c.Kind {
	case KindObject:
		checkTarget(string(KindObject), *s.Object, true, add)
		vars["object"] = cel.DynType
	case KindList:
		checkTarget(string(KindList), *s.List, false, add)
		vars["objects"] = cel.ListType(cel.DynType)
	case KindHTTP:
		h := s.HTTP
		if (h.Service == "") == (h.Pod == "") {
			add("http", "http needs a service or a pod (one of them)")
		}
		if h.Port == "" {
			add("http.port", "http needs a port (number or name)")
		}
		if h.Path != "" && !strings.HasPrefix(h.Path, "/") {
			add("http.path", "path must start with /")
		}
		vars["response"] = cel.MapType(cel.StringType, cel.DynType)
	case KindAccess:
		a := s.Access
		if (a.ServiceAccount == "") == (a.User == "") {
			add("access", "access needs a serviceAccount or a user (one of them)")
		}
		if len(a.Allow)+len(a.Deny) == 0 {
			add("access", "access needs allow or deny rules")
		}
		for i, r := range a.Allow {
			rule, err := parseRule(r, true)
			if err != nil {
				add(fmt.Sprintf("access.allow[%d]", i), "%v", err)
			}
			c.rules = append(c.rules, rule)
		}
		for i, r := range a.Deny {
			rule, err := parseRule(r, false)
			if err != nil {
				add(fmt.Sprintf("access.deny[%d]", i), "%v", err)
			}
			c.rules = append(c.rules, rule)
		}
	case KindConnect:
		u := s.Connect.URL
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "tcp://") {
			add("connect.url", "url must start with http:// or tcp://")
		}
		for k, v := range s.Connect.Labels {
			if len(validationErrors(k, v)) > 0 {
				add("connect.labels", "label %s=%s is not a valid label", k, v)
			}
		}
	case KindTraffic:
		t := s.Traffic
		if len(t.To) == 0 {
			add("traffic.to", "traffic needs to: the labels of the destination Pods ({} for any Pod)")
		}
		for i, set := range append(slices.Clone(t.To), t.From) {
			for k, v := range set {
				if len(validationErrors(k, v)) > 0 {
					add("traffic", "label %s=%s is not a valid label", k, v)
				}
			}
			if i < len(t.To) {
				c.trafficTo = append(c.trafficTo, set)
			}
		}
		c.trafficFrom = t.From
		if t.From != nil && len(t.Ports) == 0 {
			add("traffic.ports", "traffic with from needs ports: the ports those sources may reach")
		}
		if t.From == nil && len(t.Ports) > 0 {
			add("traffic.ports", "ports without from mean nothing: name the sources they are open to")
		}
		for i, p := range t.Ports {
			pt, err := parsePort(p)
			if err != nil {
				add(fmt.Sprintf("traffic.ports[%d]", i), "%v", err)
			}
			c.trafficPorts = append(c.trafficPorts, pt)
		}
	}
	if c.Kind == KindAccess || c.Kind == KindConnect || c.Kind == KindTraffic {
		if s.Expect != "" || s.Observed != "" || len(s.With) > 0 {
			add("expect", "%s checks take no expect, observed or with", c.Kind)
		}
		return c, errs
	}
	for name, t := range s.With {
		if _, taken := vars[name]; taken || !varPattern.MatchString(name) {
			add("with."+name, "with: %q cannot be a variable name (reserved or not an identifier)", name)
			continue
		}
		checkTarget("with."+name, t, false, add)
		vars[name] = cel.ListType(cel.DynType)
		c.withVars = append(c.withVars, name)
	}
	slices.Sort(c.withVars)
	env, err := newEnv(vars)
	if err != nil {
		add("expect", "CEL environment: %v", err)
		return nil, errs
	}
	expect := s.Expect
	if expect == "" {
		switch c.Kind {
		case KindObject:
			expect = "true"
		case KindList:
			expect = "objects.size() > 0"
		case KindHTTP:
			expect = "response.status == 200"
		}
	}
	if prg, msg := compileExpr(env, expect, true); msg != "" {
		add("expect", "%s", msg)
	} else {
		c.expect = prg
	}
	if s.Observed != "" {
		if prg, msg := compileExpr(env, s.Observed, false); msg != "" {
			add("observed", "%s", msg)
		} else {
			c.observed = prg
		}
	}
	return c, errs
}

func validationErrors(k, v string) []string {
	_, err := labels.ValidatedSelectorFromSet(map[string]string{k: v})
	if err != nil {
		return []string{err.Error()}
	}
	return nil
}

func checkTarget(field string, t Target, named bool, add func(field, format string, args ...any)) {
	if t.Kind == "" {
		add(field+".kind", "%s needs a kind", field)
	}
	if t.APIVersion == "" {
		add(field+".apiVersion", "%s needs an apiVersion (v1, apps/v1, ...)", field)
	} else if _, err := schema.ParseGroupVersion(t.APIVersion); err != nil {
		add(field+".apiVersion", "apiVersion %q: %v", t.APIVersion, err)
	}
	if named && t.Name == "" {
		add(field+".name", "an object check needs a name (use list for several objects)")
	}
	if named && t.Selector != "" {
		add(field+".selector", "an object check takes a name, not a selector (use list)")
	}
	if !named && t.Name != "" {
		add(field+".name", "a list takes a selector, not a name (use object for one object)")
	}
	if t.Selector != "" {
		if _, err := labels.Parse(t.Selector); err != nil {
			add(field+".selector", "selector %q: %v", t.Selector, err)
		}
	}
}

// baseEnv is the CEL environment of checks: the standard library with strings, lists, sets,
// math and base64 extensions, optional values (object.?status.?readyReplicas.orValue(0)),
// quantity() to compare Kubernetes quantities ("100m", "0.1", "64Mi") as numbers, and
// cleanPath() to compare file paths as the kernel sees them ("/data/" is "/data"). It is built
// once: each check extends it with its own variables, which costs far less than a new
// environment per check.
var baseEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		ext.Strings(), ext.Lists(), ext.Sets(), ext.Math(), ext.Encoders(),
		cel.OptionalTypes(), cel.CrossTypeNumericComparisons(true),
		cel.Function("quantity",
			cel.Overload("quantity_string", []*cel.Type{cel.StringType}, cel.DoubleType, cel.UnaryBinding(quantityOf)),
			cel.Overload("quantity_int", []*cel.Type{cel.IntType}, cel.DoubleType, cel.UnaryBinding(quantityOf)),
			cel.Overload("quantity_double", []*cel.Type{cel.DoubleType}, cel.DoubleType, cel.UnaryBinding(quantityOf)),
		),
		cel.Function("cleanPath",
			cel.Overload("cleanPath_string", []*cel.Type{cel.StringType}, cel.StringType, cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.Value().(string)
				if !ok {
					return types.NewErr("cleanPath: not a string")
				}
				return types.String(path.Clean(s))
			})),
		),
	)
})

// newEnv is baseEnv with the check's variables.
func newEnv(vars map[string]*cel.Type) (*cel.Env, error) {
	base, err := baseEnv()
	if err != nil {
		return nil, fmt.Errorf("cel base environment: %w", err)
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	slices.Sort(names)
	opts := make([]cel.EnvOption, 0, len(names))
	for _, n := range names {
		opts = append(opts, cel.Variable(n, vars[n]))
	}
	return base.Extend(opts...)
}

func quantityOf(v ref.Val) ref.Val {
	switch x := v.Value().(type) {
	case string:
		q, err := resource.ParseQuantity(x)
		if err != nil {
			return types.NewErr("quantity(%q): %v", x, err)
		}
		return types.Double(q.AsApproximateFloat64())
	case int64:
		return types.Double(float64(x))
	case float64:
		return types.Double(x)
	}
	return types.NewErr("quantity: unsupported value %v", v)
}

func compileExpr(env *cel.Env, expr string, wantBool bool) (cel.Program, string) {
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		// cel-go prints "ERROR: <input>:1:24: msg" and then the source with a caret: keep the
		// first line, which says where in the expression.
		first, _, _ := strings.Cut(iss.Err().Error(), "\n")
		return nil, "CEL " + strings.TrimPrefix(first, "ERROR: <input>:")
	}
	if wantBool && ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Sprintf("CEL: expect must be a bool expression, this one is %s", ast.OutputType())
	}
	prg, err := env.Program(ast, cel.CostLimit(costLimit), cel.InterruptCheckFrequency(100))
	if err != nil {
		return nil, "CEL: " + err.Error()
	}
	return prg, ""
}

package check

import (
	"context"
	"strings"
	"testing"
)

func deployment(replicas, ready int64, image string) map[string]any {
	status := map[string]any{"replicas": replicas}
	if ready > 0 {
		status["readyReplicas"] = ready
	}
	return map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "labels": map[string]any{"app": "web"}},
		"spec": map[string]any{"replicas": replicas, "template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "app", "image": image,
				"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "64Mi"}}}},
		}}},
		"status": status,
	}
}

func mustCompile(t *testing.T, s Spec) *Check {
	t.Helper()
	c, errs := Compile(s)
	if len(errs) > 0 {
		t.Fatalf("compile %s: %v", s.ID, errs)
	}
	return c
}

func TestCompileReportsFieldProblems(t *testing.T) {
	dep := &Target{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	cases := []struct {
		name  string
		spec  Spec
		field string
		msg   string
	}{
		{"syntax", Spec{ID: "a", Message: "m", Object: dep, Expect: "object.spec.replicas =="}, "expect", "Syntax error"},
		{"unknown variable", Spec{ID: "a", Message: "m", Object: dep, Expect: "obj.spec.replicas == 3"}, "expect", "undeclared reference to 'obj'"},
		{"not bool", Spec{ID: "a", Message: "m", Object: dep, Expect: "'three'"}, "expect", "must be a bool expression"},
		{"objects in object check", Spec{ID: "a", Message: "m", Object: dep, Expect: "objects.size() == 3"}, "expect", "undeclared reference to 'objects'"},
		{"observed typo", Spec{ID: "a", Message: "m", Object: dep, Observed: "object.spec.replicas +"}, "observed", "Syntax error"},
		{"no message", Spec{ID: "a", Object: dep}, "message", "has no message"},
		{"two kinds", Spec{ID: "a", Message: "m", Object: dep, List: &Target{APIVersion: "v1", Kind: "Pod"}}, "id", "exactly one of"},
		{"no kind", Spec{ID: "a", Message: "m"}, "id", "exactly one of"},
		{"bad id", Spec{ID: "Has Space", Message: "m", Object: dep}, "id", "lowercase"},
		{"object without name", Spec{ID: "a", Message: "m", Object: &Target{APIVersion: "v1", Kind: "Pod"}}, "object.name", "needs a name"},
		{"list with name", Spec{ID: "a", Message: "m", List: &Target{APIVersion: "v1", Kind: "Pod", Name: "x"}}, "list.name", "takes a selector"},
		{"bad selector", Spec{ID: "a", Message: "m", List: &Target{APIVersion: "v1", Kind: "Pod", Selector: "app in (web"}}, "list.selector", "selector"},
		{"no apiVersion", Spec{ID: "a", Message: "m", List: &Target{Kind: "Pod"}}, "list.apiVersion", "needs an apiVersion"},
		{"http without port", Spec{ID: "a", Message: "m", HTTP: &HTTPProbe{Service: "web"}}, "http.port", "needs a port"},
		{"http service and pod", Spec{ID: "a", Message: "m", HTTP: &HTTPProbe{Service: "web", Pod: "p", Port: "80"}}, "http", "one of them"},
		{"bad rule", Spec{ID: "a", Message: "m", Access: &AccessProbe{ServiceAccount: "r", Allow: []string{"list"}}}, "access.allow[0]", "VERB RESOURCE"},
		{"bad verb", Spec{ID: "a", Message: "m", Access: &AccessProbe{ServiceAccount: "r", Deny: []string{"eat pods"}}}, "access.deny[0]", "unknown verb"},
		{"access with expect", Spec{ID: "a", Message: "m", Access: &AccessProbe{User: "u", Allow: []string{"get pods"}}, Expect: "true"}, "expect", "take no expect"},
		{"connect scheme", Spec{ID: "a", Message: "m", Connect: &ConnectProbe{URL: "web:80"}}, "connect.url", "http:// or tcp://"},
		{"with reserved", Spec{ID: "a", Message: "m", Object: dep, With: map[string]Target{"object": {APIVersion: "v1", Kind: "Node"}}}, "with.object", "cannot be a variable"},
		{"timeout", Spec{ID: "a", Message: "m", Object: dep, Timeout: Duration(MaxTimeout * 2)}, "timeout", "between"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := Compile(tc.spec)
			for _, e := range errs {
				if e.Field == tc.field && strings.Contains(e.Msg, tc.msg) {
					return
				}
			}
			t.Errorf("want %s: ...%s..., got %+v", tc.field, tc.msg, errs)
		})
	}
}

func TestEvalObjectExpectations(t *testing.T) {
	dep := &Target{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	replicas := mustCompile(t, Spec{ID: "replicas", Message: "3 replicas", Object: dep,
		Expect: "object.spec.replicas == 3", Observed: "object.spec.replicas"})
	ready := mustCompile(t, Spec{ID: "ready", Message: "3 ready", Object: dep, Expect: "object.status.readyReplicas == 3"})
	readyOpt := mustCompile(t, Spec{ID: "ready-opt", Message: "3 ready", Object: dep,
		Expect: "object.status.?readyReplicas.orValue(0) == 3", Observed: "object.status.?readyReplicas.orValue(0)"})
	image := mustCompile(t, Spec{ID: "image", Message: "image", Object: dep,
		Expect:   "object.spec.template.spec.containers.all(c, c.image == 'kcnaprep.local/labapp:1.0')",
		Observed: "object.spec.template.spec.containers.map(c, c.image)"})
	quantity := mustCompile(t, Spec{ID: "q", Message: "requests", Object: dep,
		Expect: "object.spec.template.spec.containers.all(c, quantity(c.resources.requests.cpu) == 0.1 && quantity(c.resources.requests.memory) >= 64 * 1024 * 1024)"})
	ctx := context.Background()
	cases := []struct {
		c      *Check
		obj    map[string]any
		pass   bool
		detail string
	}{
		{replicas, deployment(3, 3, "kcnaprep.local/labapp:1.0"), true, ""},
		{replicas, deployment(2, 2, "kcnaprep.local/labapp:1.0"), false, "observed: 2"},
		{ready, deployment(3, 3, "x"), true, ""},
		{ready, deployment(3, 0, "x"), false, `field "readyReplicas" is not set`},
		{readyOpt, deployment(3, 0, "x"), false, "observed: 0"},
		{image, deployment(3, 3, "kcnaprep.local/labapp:1.0"), true, ""},
		{image, deployment(3, 3, "kcnaprep.local/labapp:2.0"), false, `observed: ["kcnaprep.local/labapp:2.0"]`},
		{quantity, deployment(1, 1, "x"), true, ""},
	}
	for _, tc := range cases {
		out := tc.c.eval(ctx, map[string]any{"object": tc.obj, "labNamespace": "lab"})
		if out.Passed != tc.pass || out.Detail != tc.detail {
			t.Errorf("%s: got %+v, want pass=%v detail=%q", tc.c.ID, out, tc.pass, tc.detail)
		}
	}
}

func TestEvalListAndWith(t *testing.T) {
	pods := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"metadata": map[string]any{"name": n}, "spec": map[string]any{"nodeName": "node-a"}})
		}
		return out
	}
	exact := mustCompile(t, Spec{ID: "exact", Message: "m", List: &Target{APIVersion: "v1", Kind: "Pod", Selector: "tier=frontend"},
		Expect:   "sets.equivalent(objects.map(o, o.metadata.name), ['a', 'b'])",
		Observed: "objects.map(o, o.metadata.name)"})
	ctx := context.Background()
	if out := exact.eval(ctx, map[string]any{"objects": pods("b", "a"), "labNamespace": "x"}); !out.Passed {
		t.Errorf("exact set in another order: %+v", out)
	}
	if out := exact.eval(ctx, map[string]any{"objects": pods("a"), "labNamespace": "x"}); out.Passed || out.Detail != `observed: ["a"]` {
		t.Errorf("missing one: %+v", out)
	}
	onLabelled := mustCompile(t, Spec{ID: "placed", Message: "m", Object: &Target{APIVersion: "v1", Kind: "Pod", Name: "a"},
		With:   map[string]Target{"nodes": {APIVersion: "v1", Kind: "Node", Selector: "disk=ssd"}},
		Expect: "nodes.exists(n, n.metadata.name == object.spec.nodeName)"})
	node := func(name string) []any { return []any{map[string]any{"metadata": map[string]any{"name": name}}} }
	if out := onLabelled.eval(ctx, map[string]any{"object": pods("a")[0], "nodes": node("node-a"), "labNamespace": "x"}); !out.Passed {
		t.Errorf("with: %+v", out)
	}
	if out := onLabelled.eval(ctx, map[string]any{"object": pods("a")[0], "nodes": node("node-b"), "labNamespace": "x"}); out.Passed {
		t.Errorf("with, wrong node: %+v", out)
	}
}

func TestDefaultsAndRules(t *testing.T) {
	c := mustCompile(t, Spec{ID: "h", Message: "m", HTTP: &HTTPProbe{Service: "web", Port: "80"}})
	if out := c.eval(context.Background(), map[string]any{"response": map[string]any{"status": int64(503), "body": "no endpoints"}, "labNamespace": "x"}); out.Passed {
		t.Error("default http expectation accepted 503")
	}
	if out := c.eval(context.Background(), map[string]any{"response": map[string]any{"status": int64(200), "body": ""}, "labNamespace": "x"}); !out.Passed {
		t.Error("default http expectation refused 200")
	}
	r, err := parseRule("get pods/log", true)
	if err != nil || r.verb != "get" || r.resource != "pods" || r.subresource != "log" || r.group != "" {
		t.Errorf("rule = %+v, %v", r, err)
	}
	r, err = parseRule("create deployments.apps", false)
	if err != nil || r.resource != "deployments" || r.group != "apps" || r.allow {
		t.Errorf("rule = %+v, %v", r, err)
	}
}

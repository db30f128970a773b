package check

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

func policies(t *testing.T, docs string) []netv1.NetworkPolicy {
	t.Helper()
	var out []netv1.NetworkPolicy
	for _, d := range strings.Split(docs, "\n---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var p netv1.NetworkPolicy
		if err := yaml.UnmarshalStrict([]byte(d), &p); err != nil {
			t.Fatalf("policy: %v\n%s", err, d)
		}
		p.Namespace = "lab"
		out = append(out, p)
	}
	return out
}

const defaultDeny = `
metadata: {name: default-deny}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`

// TestTrafficGradesWhatPoliciesLetIn: the network-policy lab's grading, on the spellings and
// mistakes learners really write.
func TestTrafficGradesWhatPoliciesLetIn(t *testing.T) {
	nsLabels := map[string]string{nameLabel: "lab", "kcnaprep.dev/managed": "true"}
	ports := []corev1.ContainerPort{{ContainerPort: 8080}}
	pods := []endpoint{
		{labels: map[string]string{"app": "web"}, namespace: "lab", nsLabels: nsLabels, ports: ports},
		{labels: map[string]string{"app": "api"}, namespace: "lab", nsLabels: nsLabels, ports: ports},
		{labels: map[string]string{"app": "db"}, namespace: "lab", nsLabels: nsLabels, ports: ports},
	}
	dbFrom := func(from, extra string) string {
		return `
metadata: {name: db-from-api}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
    - from:
` + from + `
      ports:
        - {protocol: TCP, port: 8080}
` + extra
	}
	cases := []struct {
		name   string
		pols   string
		pass   bool
		detail string
	}{
		{"solution", defaultDeny + "---" + dbFrom("        - podSelector: {matchLabels: {app: api}}", ""), true, ""},
		{"own namespace by name with the pod selector", defaultDeny + "---" + dbFrom(`        - podSelector: {matchLabels: {app: api}}
          namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: lab}}`, ""), true, ""},
		{"match expressions", defaultDeny + "---" + dbFrom(`        - podSelector: {matchExpressions: [{key: app, operator: In, values: [api]}]}`, ""), true, ""},
		{"second pod label", defaultDeny + "---" + dbFrom(`        - podSelector: {matchLabels: {app: api}}
        - podSelector: {matchLabels: {app: web}}`, ""), false, "accept Pods labelled app=web of this namespace on TCP 8080"},
		{"dash mistake opens every namespace", defaultDeny + "---" + dbFrom(`        - podSelector: {matchLabels: {app: api}}
        - namespaceSelector: {}`, ""), false, "in other namespaces on TCP 8080"},
		{"namespace selector alone", defaultDeny + "---" + dbFrom(`        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: lab}}`, ""), false, "accept any Pod of this namespace"},
		{"api from any namespace", defaultDeny + "---" + dbFrom(`        - podSelector: {matchLabels: {app: api}}
          namespaceSelector: {}`, ""), false, "Pods labelled app=api in other namespaces"},
		{"every port", defaultDeny + "---" + `
metadata: {name: db-from-api}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: api}}}]
`, false, "on TCP 1"},
		{"port range", defaultDeny + "---" + `
metadata: {name: db-from-api}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: api}}}]
      ports: [{port: 8080, endPort: 8090}]
`, false, "on TCP 8090"},
		{"wrong source", defaultDeny + "---" + dbFrom("        - podSelector: {matchLabels: {app: web}}", ""), false, "do not accept Pods labelled app=api"},
		{"an ipBlock", defaultDeny + "---" + dbFrom(`        - podSelector: {matchLabels: {app: api}}
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/16]}`, ""), false, "address 10.255.255.255 (outside the cluster) on TCP 8080"},
		{"egress deny blocks api", defaultDeny + "---" + dbFrom("        - podSelector: {matchLabels: {app: api}}", "") + "---" + `
metadata: {name: no-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
`, false, "an egress policy blocks it"},
		{"no policies", "", false, "no NetworkPolicy selects them for Ingress"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := evalTraffic(policies(t, tc.pols), pods, "lab", nsLabels,
				[]map[string]string{{"app": "db"}}, map[string]string{"app": "api"}, []netPort{{8080, corev1.ProtocolTCP}})
			if out.Passed != tc.pass || !strings.Contains(out.Detail, tc.detail) {
				t.Errorf("passed=%v detail=%q, want passed=%v detail containing %q", out.Passed, out.Detail, tc.pass, tc.detail)
			}
		})
	}
	// The default-deny task: a new Pod and web and api accept nothing.
	deny := []map[string]string{{"kcnaprep.dev/new": "pod"}, {"app": "web"}, {"app": "api"}}
	for _, tc := range []struct {
		name, pols string
		pass       bool
	}{
		{"deny", defaultDeny, true},
		{"deny with empty ingress list", `
metadata: {name: default-deny}
spec: {podSelector: {}, ingress: []}
`, true},
		{"deny plus the db policy", defaultDeny + "---" + dbFrom("        - podSelector: {matchLabels: {app: api}}", ""), true},
		{"allow-all rule", `
metadata: {name: default-deny}
spec:
  podSelector: {}
  ingress: [{}]
`, false},
		{"only labelled pods", `
metadata: {name: default-deny}
spec:
  podSelector: {matchExpressions: [{key: app, operator: Exists}]}
`, false},
		{"egress only", `
metadata: {name: default-deny}
spec: {podSelector: {}, policyTypes: [Egress]}
`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := evalTraffic(policies(t, tc.pols), pods, "lab", nsLabels, deny, nil, nil)
			if out.Passed != tc.pass {
				t.Errorf("passed=%v (%s), want %v", out.Passed, out.Detail, tc.pass)
			}
		})
	}
}

// Package helm holds the tests of the Helm chart in kcnaprep/: lint and render it with the
// Helm SDK (helm.sh/helm/v4, pinned in go.mod, so CI needs no helm binary), and, on a kind
// cluster, install it and run a lab through the installed server. Test-only: nothing here is
// imported by cmd/server.
package helm

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	kubefake "helm.sh/helm/v4/pkg/kube/fake"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// ChartDir is the chart, relative to this package.
const ChartDir = "kcnaprep"

func loadChart(t testing.TB) *chartv2.Chart {
	t.Helper()
	ch, err := loader.Load(ChartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	return ch
}

// everything turns every optional part of the chart on.
var everything = map[string]any{
	"ingress":        map[string]any{"enabled": true, "className": "nginx", "host": "prep.example.org", "tlsSecretName": "prep-tls"},
	"serviceMonitor": map[string]any{"enabled": true},
	"backup":         map[string]any{"enabled": true},
	"labs":           map[string]any{"apiServer": "https://k8s.example.org:6443"},
	"admin":          map[string]any{"password": "a long enough secret"},
}

// helm lint --strict, with the default values and with every option on.
func TestChartLint(t *testing.T) {
	for name, vals := range map[string]map[string]any{"defaults": nil, "everything": everything} {
		lint := action.NewLint()
		lint.Strict = true
		lint.Namespace = "kcnaprep"
		res := lint.Run([]string{ChartDir}, vals)
		for _, m := range res.Messages {
			t.Logf("%s: %s", name, m)
		}
		if len(res.Errors) > 0 || action.HasWarningsOrErrors(res) {
			t.Errorf("%s: helm lint --strict finds problems: %v", name, errors.Join(res.Errors...))
		}
	}
}

// render is "helm template": the chart's manifests for vals, decoded.
func render(t testing.TB, vals map[string]any) ([]*unstructured.Unstructured, error) {
	t.Helper()
	cfg := action.NewConfiguration()
	cfg.Releases = storage.Init(driver.NewMemory())
	cfg.KubeClient = &kubefake.PrintingKubeClient{Out: io.Discard}
	cfg.Capabilities = common.DefaultCapabilities
	in := action.NewInstall(cfg)
	in.DryRunStrategy = action.DryRunClient
	in.ReleaseName, in.Namespace, in.Replace = "prep", "kcnaprep", true
	// Helm's test default is Kubernetes 1.20; render for the oldest version the chart
	// supports (Chart.yaml's kubeVersion).
	kv, err := common.ParseKubeVersion("v1.28.0")
	if err != nil {
		t.Fatal(err)
	}
	in.KubeVersion = kv
	rel, err := in.Run(loadChart(t), vals)
	if err != nil {
		return nil, err
	}
	r, ok := rel.(*releasev1.Release)
	if !ok {
		t.Fatalf("release is a %T", rel)
	}
	var objs []*unstructured.Unstructured
	dec := yaml.NewYAMLOrJSONDecoder(strings.NewReader(r.Manifest), 4096)
	for {
		var m map[string]any
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("rendered manifest: %v\n%s", err, r.Manifest)
		}
		if m != nil {
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
	return objs, nil
}

func find[T any](t testing.TB, objs []*unstructured.Unstructured, kind string) *T {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind {
			v := new(T)
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, v); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			return v
		}
	}
	return nil
}

func kinds(objs []*unstructured.Unstructured) string {
	var b bytes.Buffer
	for _, o := range objs {
		b.WriteString(o.GetKind() + " ")
	}
	return b.String()
}

func envOf(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			m[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		} else {
			m[e.Name] = e.Value
		}
	}
	return m
}

// helm template: what the defaults deploy, and what each option changes.
func TestChartTemplate(t *testing.T) {
	objs, err := render(t, nil)
	if err != nil {
		t.Fatalf("helm template with the defaults: %v", err)
	}
	d := find[appsv1.Deployment](t, objs, "Deployment")
	if d == nil {
		t.Fatalf("no Deployment in %s", kinds(objs))
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("SQLite has one writer: want 1 replica and Recreate, got %v and %s", d.Spec.Replicas, d.Spec.Strategy.Type)
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("probes: liveness %+v readiness %+v", c.LivenessProbe, c.ReadinessProbe)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot ||
		c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Error("the server must run as non-root without privilege escalation")
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Error("no resource requests")
	}
	env := envOf(c)
	for k, want := range map[string]string{"KCNAPREP_LAB_BACKEND": "incluster", "KCNAPREP_DATA_DIR": "/data",
		"KCNAPREP_ADMIN_USERNAME": "secret:prep-kcnaprep-admin/username", "KCNAPREP_ADMIN_PASSWORD": "secret:prep-kcnaprep-admin/password",
		"KCNAPREP_SECURE_COOKIES": "false"} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q", k, env[k], want)
		}
	}
	if _, ok := env["KCNAPREP_LAB_API_SERVER"]; ok {
		t.Error("KCNAPREP_LAB_API_SERVER set without labs.apiServer")
	}
	if pod.AutomountServiceAccountToken == nil || !*pod.AutomountServiceAccountToken {
		t.Error("the incluster backend needs the ServiceAccount token mounted")
	}
	sec := find[corev1.Secret](t, objs, "Secret")
	if sec == nil || len(sec.Data["password"]) < 16 || string(sec.Data["username"]) != "admin" {
		t.Errorf("admin Secret: want username admin and a generated password, got %v", sec)
	}
	cr := find[rbacv1.ClusterRole](t, objs, "ClusterRole")
	crb := find[rbacv1.ClusterRoleBinding](t, objs, "ClusterRoleBinding")
	if cr == nil || crb == nil {
		t.Fatalf("the incluster backend needs a ClusterRole and its binding: %s", kinds(objs))
	}
	for _, r := range cr.Rules {
		for _, v := range r.Verbs {
			if v == "*" || v == "bind" || v == "escalate" || (v == "impersonate" && !equal(r.Resources, "serviceaccounts")) {
				t.Errorf("ClusterRole grants %q on %v: more than the backend needs", v, r.Resources)
			}
		}
		// "*" resources only in groups that have no cluster-scoped resource.
		if slices.Contains(r.Resources, "*") || slices.Contains(r.APIGroups, "*") {
			for _, g := range r.APIGroups {
				if !slices.Contains(namespacedGroups, g) {
					t.Errorf("ClusterRole grants every resource of group %q, cluster-scoped ones included", g)
				}
			}
		}
	}
	// What the incluster backend does (internal/lab/backend/kubeconfig, the graders), ...
	for _, a := range [][3]string{
		{"", "namespaces", "create"}, {"", "namespaces", "list"}, {"", "namespaces", "update"}, {"", "namespaces", "delete"},
		{"", "nodes", "list"}, {"storage.k8s.io", "storageclasses", "list"},
		{"rbac.authorization.k8s.io", "clusterroles", "create"}, {"rbac.authorization.k8s.io", "clusterrolebindings", "create"},
		{"authorization.k8s.io", "subjectaccessreviews", "create"},
		{"", "serviceaccounts", "create"}, {"", "secrets", "create"}, {"", "pods", "deletecollection"}, {"", "pods/exec", "create"},
		{"", "pods/log", "get"}, {"", "resourcequotas", "create"}, {"", "limitranges", "create"}, {"", "serviceaccounts", "impersonate"},
		{"rbac.authorization.k8s.io", "roles", "create"}, {"rbac.authorization.k8s.io", "rolebindings", "create"},
		{"networking.k8s.io", "networkpolicies", "create"}, {"apps", "deployments", "patch"}, {"apps", "deployments/scale", "update"},
		{"batch", "cronjobs", "create"}, {"autoscaling", "horizontalpodautoscalers", "create"}, {"discovery.k8s.io", "endpointslices", "list"},
	} {
		if !allows(cr.Rules, a[0], a[1], a[2]) {
			t.Errorf("ClusterRole does not allow %s on %s (group %q), which the incluster backend needs", a[2], a[1], a[0])
		}
	}
	// ... and what it must not: each of these makes a token holder cluster admin, or touches
	// what is not a lab's.
	for _, a := range [][3]string{
		{"", "nodes/proxy", "get"}, {"", "nodes", "patch"}, {"", "persistentvolumes", "create"},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "create"},
		{"apiextensions.k8s.io", "customresourcedefinitions", "create"}, {"apiregistration.k8s.io", "apiservices", "create"},
		{"rbac.authorization.k8s.io", "clusterroles", "update"}, {"rbac.authorization.k8s.io", "clusterroles", "bind"},
		{"rbac.authorization.k8s.io", "clusterrolebindings", "delete"}, {"certificates.k8s.io", "certificatesigningrequests", "create"},
		{"", "users", "impersonate"}, {"", "groups", "impersonate"}, {"example.com", "widgets", "list"},
	} {
		if allows(cr.Rules, a[0], a[1], a[2]) {
			t.Errorf("ClusterRole allows %s on %s (group %q): more than labs need", a[2], a[1], a[0])
		}
	}
	if crb.RoleRef.Name != cr.Name || len(crb.Subjects) != 1 || crb.Subjects[0].Name != pod.ServiceAccountName || crb.Subjects[0].Namespace != "kcnaprep" {
		t.Errorf("ClusterRoleBinding %+v does not bind %s to the Pod's ServiceAccount %s", crb, cr.Name, pod.ServiceAccountName)
	}
	for _, k := range []string{"Ingress", "ServiceMonitor", "CronJob"} {
		if strings.Contains(kinds(objs), k) {
			t.Errorf("%s rendered though off by default", k)
		}
	}
	pvc := find[corev1.PersistentVolumeClaim](t, objs, "PersistentVolumeClaim")
	if pvc == nil || find[corev1.Service](t, objs, "Service") == nil {
		t.Fatalf("want a PVC and a Service: %s", kinds(objs))
	}
	// The database lives on the claim: /data is the PVC, and an uninstall keeps it.
	mounted := false
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name {
			for _, m := range c.VolumeMounts {
				mounted = mounted || (m.Name == v.Name && m.MountPath == "/data")
			}
		}
	}
	if !mounted || pvc.Annotations["helm.sh/resource-policy"] != "keep" {
		t.Errorf("PVC %s: mounted at /data %v, resource-policy %q (want keep)", pvc.Name, mounted, pvc.Annotations["helm.sh/resource-policy"])
	}

	// Every option on.
	objs, err = render(t, everything)
	if err != nil {
		t.Fatalf("helm template with every option: %v", err)
	}
	ing := find[networkingv1.Ingress](t, objs, "Ingress")
	if ing == nil || len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName != "prep-tls" || ing.Spec.Rules[0].Host != "prep.example.org" {
		t.Errorf("Ingress with TLS: %+v", ing)
	}
	env = envOf(find[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Spec.Containers[0])
	if env["KCNAPREP_SECURE_COOKIES"] != "true" || env["KCNAPREP_LAB_API_SERVER"] != "https://k8s.example.org:6443" {
		t.Errorf("behind TLS cookies are Secure, and labs.apiServer reaches the server: %v", env)
	}
	var sm *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "ServiceMonitor" {
			sm = o
		}
	}
	if sm == nil {
		t.Errorf("no ServiceMonitor: %s", kinds(objs))
	} else {
		eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
		sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
		svc := find[corev1.Service](t, objs, "Service")
		if len(eps) != 1 || eps[0].(map[string]any)["path"] != "/metrics" || eps[0].(map[string]any)["port"] != "http" ||
			sel["app.kubernetes.io/instance"] != "prep" || svc.Labels["app.kubernetes.io/instance"] != "prep" || svc.Spec.Ports[0].Name != "http" {
			t.Errorf("ServiceMonitor does not scrape /metrics on the Service's http port: endpoints %v, selector %v", eps, sel)
		}
	}
	cj := find[batchv1.CronJob](t, objs, "CronJob")
	if cj == nil {
		t.Fatalf("no backup CronJob: %s", kinds(objs))
	}
	if args := strings.Join(cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args, " "); args != "backup /data/backups/kcnaprep.db --force --data-dir /data" {
		t.Errorf("backup runs %q", args)
	}
	if s := find[corev1.Secret](t, objs, "Secret"); string(s.Data["password"]) != "a long enough secret" {
		t.Errorf("admin.password not used: %q", s.Data["password"])
	}

	// An Ingress without a certificate: plain HTTP, and cookies not Secure.
	objs, err = render(t, map[string]any{"ingress": map[string]any{"enabled": true, "host": "prep.example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if ing := find[networkingv1.Ingress](t, objs, "Ingress"); ing == nil || len(ing.Spec.TLS) != 0 {
		t.Errorf("Ingress without tlsSecretName: want one without TLS, got %+v", ing)
	}
	if env := envOf(find[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Spec.Containers[0]); env["KCNAPREP_SECURE_COOKIES"] != "false" {
		t.Errorf("Secure cookies over plain HTTP would never be sent back: %q", env["KCNAPREP_SECURE_COOKIES"])
	}

	// Labs off: no cluster-wide rights, no token in the Pod.
	objs, err = render(t, map[string]any{"labs": map[string]any{"backend": "none"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(kinds(objs), "ClusterRole") {
		t.Errorf("labs.backend none still grants cluster rights: %s", kinds(objs))
	}
	if p := find[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Spec; p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
		t.Error("labs.backend none still mounts the ServiceAccount token")
	}
	// An existing Secret replaces the chart's.
	objs, err = render(t, map[string]any{"admin": map[string]any{"existingSecret": "mine"}})
	if err != nil {
		t.Fatal(err)
	}
	if find[corev1.Secret](t, objs, "Secret") != nil || envOf(find[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Spec.Containers[0])["KCNAPREP_ADMIN_PASSWORD"] != "secret:mine/password" {
		t.Error("admin.existingSecret is not used instead of the chart's Secret")
	}
	// No admin: the server could not serve beyond loopback, so the chart refuses.
	if _, err := render(t, map[string]any{"admin": map[string]any{"username": ""}}); err == nil || !strings.Contains(err.Error(), "admin.username is required") {
		t.Errorf("without admin.username: %v, want a clear refusal", err)
	}
}

func equal(s []string, v string) bool { return len(s) == 1 && s[0] == v }

// namespacedGroups are the built-in API groups without a cluster-scoped resource.
var namespacedGroups = []string{"apps", "batch", "autoscaling", "policy", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io"}

// allows evaluates RBAC rules for a request on every object of resource (a rule limited to
// resource names does not count).
func allows(rules []rbacv1.PolicyRule, group, resource, verb string) bool {
	has := func(list []string, v string) bool { return slices.Contains(list, "*") || slices.Contains(list, v) }
	for _, r := range rules {
		if len(r.ResourceNames) == 0 && has(r.APIGroups, group) && has(r.Resources, resource) && has(r.Verbs, verb) {
			return true
		}
	}
	return false
}

package e2e

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kind"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend/kubeconfig"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"github.com/kcnaprep/kcnaprep/internal/lab/toolbox"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testToolboxIsolation: alice and bob each run the lab in a namespace of the shared cluster.
// From alice's toolbox (the exec path the terminal uses), everything outside her namespace is
// refused; her namespace has the guard rails (quota, limit range, Pod Security, the isolation
// NetworkPolicy).
func testToolboxIsolation(t *testing.T, a *App, users map[string]int64) {
	ctx := context.Background()
	const labID = "deployment-scale"
	alice := testenv.MustCreateUser(t, a.DB, "alice", domain.RoleLearner).ID
	bob := testenv.MustCreateUser(t, a.DB, "bob", domain.RoleLearner).ID
	users["alice"], users["bob"] = alice, bob
	sess := map[int64]*domain.LabSession{}
	for _, uid := range []int64{alice, bob} {
		if _, err := a.Labs.Start(ctx, uid, labID); err != nil {
			t.Fatal(err)
		}
	}
	for _, uid := range []int64{alice, bob} {
		wctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
		s, err := a.Labs.Wait(wctx, uid, labID, nil)
		cancel()
		if err != nil || s.State != domain.LabReady {
			t.Fatalf("lab of user %d: %+v %v", uid, s, err)
		}
		sess[uid] = s
	}
	aliceNS, bobNS := sess[alice].Namespace, sess[bob].Namespace
	if aliceNS == bobNS || sess[alice].Cluster != sess[bob].Cluster {
		t.Fatalf("want two namespaces of one cluster: %s/%s and %s/%s", sess[alice].Cluster, aliceNS, sess[bob].Cluster, bobNS)
	}
	// run runs script in uid's toolbox and returns its output (stdout and stderr) and status.
	// ok judges a result; a result it rejects is tried again (twice at most): on a loaded
	// machine the API server answers "etcdserver: request timed out" or drops a connection now
	// and then, which is neither a pass nor a denial.
	run := func(uid int64, script string, ok func(out string, code int) bool) (string, int, error) {
		var out string
		var code int
		var err error
		for attempt := range 3 {
			if attempt > 0 {
				time.Sleep(time.Duration(attempt) * 3 * time.Second)
			}
			var buf lockedBuffer
			ectx, cancel := context.WithTimeout(ctx, 4*time.Minute)
			err = a.Labs.Exec(ectx, uid, labID, []string{"sh", "-c", script}, toolbox.Streams{Stdout: &buf, Stderr: &buf})
			cancel()
			out, code = buf.String(), 0
			var ee *toolbox.ExitError
			if errors.As(err, &ee) {
				code, err = ee.Status, nil
			}
			if err == nil && ok(out, code) {
				break
			}
		}
		return out, code, err
	}
	succeeded := func(want ...string) func(string, int) bool {
		return func(out string, code int) bool {
			for _, w := range want {
				if !strings.Contains(out, w) {
					return false
				}
			}
			return code == 0
		}
	}
	// Bob's toolbox exists, so alice has a Pod to try to exec into. It runs as bob's learner
	// ServiceAccount, not as root and not as an admin.
	if out, code, err := run(bob, "id -u; kubectl auth whoami -o jsonpath='{.status.userInfo.username}'",
		succeeded("1000", "system:serviceaccount:"+bobNS+":kcnaprep-learner")); err != nil || code != 0 ||
		!strings.Contains(out, "1000") || !strings.Contains(out, "system:serviceaccount:"+bobNS+":kcnaprep-learner") {
		t.Fatalf("bob's toolbox: status %d, %v:\n%s", code, err, out)
	}
	// Her own namespace works, without -n: the namespace is preset.
	// Quotas of her own (the resource-quota lab) are hers to make and delete.
	if out, code, err := run(alice, "kubectl create configmap mine --from-literal=a=b --dry-run=client -o yaml | kubectl apply -f - && kubectl get configmap mine -o name && "+
		"kubectl create quota mine --hard=pods=20 --dry-run=client -o yaml | kubectl apply -f - && kubectl delete quota mine",
		succeeded("configmap/mine", `"mine" deleted`)); err != nil || code != 0 || !strings.Contains(out, "configmap/mine") || !strings.Contains(out, `"mine" deleted`) {
		t.Fatalf("alice in her own namespace: status %d, %v:\n%s", code, err, out)
	}
	privileged := `apiVersion: v1
kind: Pod
metadata: {name: root}
spec:
  containers:
  - name: x
    image: kcnaprep.local/labapp:1.0
    securityContext: {privileged: true}`
	hostPath := `apiVersion: v1
kind: Pod
metadata: {name: host}
spec:
  containers:
  - name: x
    image: kcnaprep.local/labapp:1.0
    volumeMounts: [{name: h, mountPath: /host}]
  volumes:
  - name: h
    hostPath: {path: /}`
	attempts := map[string]string{
		"list bob's pods":                  "kubectl get pods -n " + bobNS,
		"read bob's secrets":               "kubectl get secrets -n " + bobNS,
		"read a secret of bob's by name":   "kubectl get secret kcnaprep-learner -n " + bobNS + " -o yaml",
		"delete bob's toolbox":             "kubectl delete pod " + toolbox.PodName + " -n " + bobNS + " --dry-run=server",
		"delete a node":                    "kubectl delete node --all --dry-run=server",
		"label a node":                     "kubectl label node --all kcnaprep-test=owned --dry-run=server",
		"list cluster roles":               "kubectl get clusterroles",
		"create a cluster role":            "kubectl create clusterrole escalate --verb='*' --resource='*'",
		"bind cluster-admin cluster-wide":  "kubectl create clusterrolebinding escalate --clusterrole=cluster-admin --serviceaccount=" + aliceNS + ":kcnaprep-learner",
		"read kube-system secrets":         "kubectl get secrets -n kube-system",
		"create a namespace":               "kubectl create namespace alice-extra",
		"relabel her namespace":            "kubectl label namespace " + aliceNS + " pod-security.kubernetes.io/enforce=privileged --overwrite",
		"run a privileged pod":             "kubectl apply -f - <<'EOF'\n" + privileged + "\nEOF",
		"run a hostPath pod":               "kubectl apply -f - <<'EOF'\n" + hostPath + "\nEOF",
		"exec into bob's toolbox":          "kubectl exec -n " + bobNS + " " + toolbox.PodName + " -- id",
		"exec into a kube-system pod":      "kubectl exec -n kube-system etcd-" + strings.TrimPrefix(sess[alice].Cluster, "kind-") + "-control-plane -- id",
		"bind herself to cluster-admin":    "kubectl create rolebinding admin --clusterrole=cluster-admin --serviceaccount=" + aliceNS + ":kcnaprep-learner",
		"impersonate bob's learner":        "kubectl get pods -n " + bobNS + " --as=system:serviceaccount:" + bobNS + ":kcnaprep-learner",
		"impersonate the cluster's admins": "kubectl get nodes --as=admin --as-group=system:masters",
		// The guard rails of her own namespace: her Role allows these kinds (labs create
		// quotas and policies of their own), the admission policy keeps the system's.
		"delete her quota":             "kubectl delete resourcequota " + kubeconfig.QuotaName + " --dry-run=server",
		"empty her limit range":        "kubectl patch limitrange " + kubeconfig.LimitRangeName + ` --type=json -p '[{"op":"remove","path":"/spec/limits"}]' --dry-run=server`,
		"delete the isolation policy":  "kubectl delete networkpolicy kcnaprep-isolate --dry-run=server",
		"unlabel the isolation policy": "kubectl label networkpolicy kcnaprep-isolate kcnaprep.dev/system- --dry-run=server",
		"delete her RoleBinding":       "kubectl delete rolebinding kcnaprep-learner --dry-run=server",
	}
	denied := func(out string, code int) bool {
		return code != 0 && strings.Contains(strings.ToLower(out), "forbidden")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for what, script := range attempts {
		wg.Go(func() {
			out, code, err := run(alice, script, func(out string, code int) bool { return code == 0 || denied(out, code) })
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("%s: exec failed: %v", what, err)
			case !denied(out, code):
				t.Errorf("alice could %s, or was not told it is forbidden (status %d):\n%s", what, code, out)
			}
		})
	}
	wg.Wait()
	// What the API server says it would allow, asked as alice (kubectl auth can-i): the same
	// answers, and her own namespace's rights for contrast.
	canI := map[string]string{
		"get pods -n " + bobNS:                  "no",
		"get secrets -n kube-system":            "no",
		"create namespaces":                     "no",
		"create clusterrolebindings":            "no",
		"patch namespaces/" + aliceNS:           "no",
		"create pods/exec -n " + bobNS:          "no",
		"create deployments":                    "yes",
		"create pods/exec -n " + aliceNS:        "yes",
		"delete resourcequotas/kcnaprep-limits": "yes", // RBAC says yes; the admission policy refuses (above)
		// Impersonating her namespace's own ServiceAccounts is allowed (the rbac-serviceaccount
		// lab asks for it), and kubectl reaches the cluster with --as (it turns kubectl's
		// in-cluster fallback off; the toolbox's kubeconfig does not need it).
		"get pods --as=system:serviceaccount:" + aliceNS + ":default": "no",
	}
	for q, want := range canI {
		// The answer is the last line (a warning may come first: "resource 'namespaces' is not
		// namespace scoped").
		answer := func(out string) string {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			return strings.TrimSpace(lines[len(lines)-1])
		}
		out, _, err := run(alice, "kubectl auth can-i "+q, func(out string, _ int) bool {
			return answer(out) == "yes" || answer(out) == "no"
		})
		if err != nil || answer(out) != want {
			t.Errorf("kubectl auth can-i %s as alice = %q (%v), want %s", q, out, err, want)
		}
	}
	guardRails(t, a, aliceNS)
	// The isolation NetworkPolicy is in both namespaces. kind's CNI here (kindnet) does not
	// enforce NetworkPolicy, so the proof is the object, not dropped packets.
	for uid, ns := range map[int64]string{alice: aliceNS, bob: bobNS} {
		out, code, err := run(uid, "kubectl get networkpolicy kcnaprep-isolate -o jsonpath='{.spec.policyTypes} {.spec.ingress[0].from}'",
			succeeded("Ingress", "kcnaprep.dev/managed"))
		if err != nil || code != 0 || !strings.Contains(out, "Ingress") || !strings.Contains(out, "kcnaprep.dev/managed") {
			t.Errorf("isolation policy in %s: status %d, %v: %s", ns, code, err, out)
		}
	}
}

// lockedBuffer is a bytes.Buffer that exec's stdout and stderr copiers may write at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// guardRails checks, as the cluster's admin, that the learner namespace ns of the shared
// cluster has the guard rails of the existing-cluster backend: Pod Security enforced, the
// ResourceQuota counted, and the LimitRange filling in a container that states no resources.
func guardRails(t *testing.T, a *App, ns string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	instance, err := a.DB.LabInstance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := exec.CommandContext(ctx, "kind", "get", "kubeconfig", "--name", kind.Prefix+instance+"-shared").Output()
	if err != nil {
		t.Fatalf("kind get kubeconfig: %v", err)
	}
	cfg, err := kube.ConfigFromKubeconfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kube.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	core := c.Typed.CoreV1()
	var nsObj *corev1.Namespace
	if err := kube.RetryTransient(ctx, func() (err error) { nsObj, err = core.Namespaces().Get(ctx, ns, metav1.GetOptions{}); return }); err != nil {
		t.Fatal(err)
	}
	for k, v := range kubeconfig.PodSecurityLabels() {
		if nsObj.Labels[k] != v {
			t.Errorf("namespace %s: label %s = %q, want %q", ns, k, nsObj.Labels[k], v)
		}
	}
	var q *corev1.ResourceQuota
	if err := kube.RetryTransient(ctx, func() (err error) {
		q, err = core.ResourceQuotas(ns).Get(ctx, kubeconfig.QuotaName, metav1.GetOptions{})
		return
	}); err != nil {
		t.Fatalf("quota in %s: %v", ns, err)
	}
	if pods := q.Status.Hard[corev1.ResourcePods]; pods.IsZero() {
		t.Errorf("quota %s in %s has no counted pod limit: %+v", q.Name, ns, q.Status)
	}
	if used := q.Status.Used[corev1.ResourcePods]; used.Value() < 1 { // the toolbox, the lab's Pods
		t.Errorf("quota %s in %s counts no pods: %+v", q.Name, ns, q.Status.Used)
	}
	var lr *corev1.LimitRange
	if err := kube.RetryTransient(ctx, func() (err error) {
		lr, err = core.LimitRanges(ns).Get(ctx, kubeconfig.LimitRangeName, metav1.GetOptions{})
		return
	}); err != nil {
		t.Fatalf("limit range in %s: %v", ns, err)
	}
	if len(lr.Spec.Limits) == 0 || lr.Spec.Limits[0].DefaultRequest.Cpu().IsZero() {
		t.Errorf("limit range in %s sets no default CPU request: %+v", ns, lr.Spec)
	}
	// What the API server makes of a bare Pod (a server-side dry run, as the admin): the
	// LimitRange fills in requests and a CPU limit. A privileged one is refused even for the
	// admin: Pod Security is the namespace's, not the learner's.
	bare := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare"}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "x", Image: "kcnaprep.local/labapp:1.0"}}}}
	var got *corev1.Pod
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	if err := kube.RetryTransient(ctx, func() (err error) { got, err = core.Pods(ns).Create(ctx, bare, dry); return }); err != nil {
		t.Fatalf("dry-run a bare pod in %s: %v", ns, err)
	}
	if r := got.Spec.Containers[0].Resources; r.Requests.Cpu().IsZero() || r.Limits.Cpu().IsZero() {
		t.Errorf("bare pod in %s got resources %+v, want the LimitRange's defaults", ns, r)
	}
	yes := true
	priv := bare.DeepCopy()
	priv.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &yes}
	err = kube.RetryTransient(ctx, func() error { _, err := core.Pods(ns).Create(ctx, priv, dry); return err })
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "PodSecurity") {
		t.Errorf("privileged pod in %s: %v, want refused by Pod Security", ns, err)
	}
}

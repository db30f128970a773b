package helm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
	"github.com/kcnaprep/kcnaprep/internal/lab/labtest"
	"github.com/kcnaprep/kcnaprep/labs"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/cli"
	helmkube "helm.sh/helm/v4/pkg/kube"
	appsv1 "k8s.io/api/apps/v1"
	authzv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
)

const (
	appImage  = "kcnaprep.local/kcnaprep:chart-test"
	namespace = "kcnaprep"
	release   = "prep"
	password  = "chart test password"
	testLab   = "config-secrets" // a namespace lab whose Pod runs the lab image
)

// serverImage builds the app's image the way labimage builds the lab image: a static
// cmd/server for linux in one layer, no base image, run as 65532 (the chart's securityContext).
// It returns the image as a "docker save" archive for kind to load.
func serverImage(ctx context.Context, dir string) ([]byte, error) {
	bin := filepath.Join(dir, "server")
	// In the server's own module (the repository's root): this module's go.mod holds Helm's
	// dependencies, not the server's.
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/server")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build cmd/server: %w\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	img, err := labimage.Static([]labimage.File{
		{Name: "etc/", Mode: 0o755},
		{Name: "etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0:root:/:/server\nkcnaprep:x:65532:65532:kcnaprep:/data:/server\n")},
		{Name: "etc/group", Mode: 0o644, Data: []byte("root:x:0:\nkcnaprep:x:65532:\n")},
		{Name: "data/", Mode: 0o755},
		{Name: "tmp/", Mode: 0o1777},
		{Name: "server", Mode: 0o755, Data: data},
	}, runtime.GOARCH, func(c *v1.Config) {
		c.Entrypoint = []string{"/server"}
		c.Cmd = []string{"serve"}
		c.User = "65532:65532"
		c.Env = []string{"KCNAPREP_DATA_DIR=/data", "KCNAPREP_ADDR=0.0.0.0:8080"}
		c.ExposedPorts = map[string]struct{}{"8080/tcp": {}}
	})
	if err != nil {
		return nil, fmt.Errorf("app image: %w", err)
	}
	var buf bytes.Buffer
	if err := tarball.Write(name.MustParseReference(appImage).(name.Tag), img, &buf); err != nil {
		return nil, fmt.Errorf("app image archive: %w", err)
	}
	return buf.Bytes(), nil
}

// TestInstallOnKind installs the chart into a kind cluster (the app image built in Go and
// loaded into the node, like the lab image), asks the API server what the chart's ClusterRole
// lets the server do (and not do), signs in as the Secret's admin through a port-forward, and
// runs a namespace lab through the installed server's in-cluster backend: start, check (fails),
// the learner's solution.sh with kubectl and the kubeconfig the server hands out (which must not
// reach kube-system), check (passes), finish; then runs the backup CronJob once and uninstalls.
// One cluster for all of it, deleted at the end.
func TestInstallOnKind(t *testing.T) {
	labtest.RequireKind(t)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()

	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	clusterName := "chart-" + hex.EncodeToString(suffix) // "chart-": other kind users on a shared engine know whose it is
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	provider := cluster.NewProvider(cluster.ProviderWithDocker())
	opts := []cluster.CreateOption{cluster.CreateWithKubeconfigPath(kubeconfig), cluster.CreateWithDisplayUsage(false),
		cluster.CreateWithDisplaySalutation(false), cluster.CreateWithRetain(false)}
	if img := labtest.NodeImage(); img != "" {
		opts = append(opts, cluster.CreateWithNodeImage(img))
	}
	// Build the two images while kind creates the cluster.
	images := make([][]byte, 2)
	imgErrs := make([]error, 2)
	labCache, appDir := t.TempDir(), t.TempDir()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		images[0], imgErrs[0] = labimage.New(labimage.WithCacheDir(labCache)).Archive(ctx)
	}()
	go func() {
		defer wg.Done()
		images[1], imgErrs[1] = serverImage(ctx, appDir)
	}()
	t0 := time.Now()
	// kubeadm init can time out on a loaded machine (etcd, the API server's first start): kind
	// removes the failed node, and a second attempt usually passes.
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		if err = provider.Create(clusterName, opts...); err == nil {
			break
		}
		t.Logf("create kind cluster %s, attempt %d: %v", clusterName, attempt, err)
		_ = provider.Delete(clusterName, kubeconfig)
	}
	if err != nil {
		wg.Wait()
		t.Fatalf("create kind cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := provider.Delete(clusterName, kubeconfig); err != nil {
			t.Errorf("delete kind cluster %s: %v", clusterName, err)
		}
	})
	clusterUp := time.Since(t0)
	t.Logf("kind cluster %s created in %.1fs", clusterName, clusterUp.Seconds())
	wg.Wait()
	if err := errors.Join(imgErrs...); err != nil {
		t.Fatalf("images: %v", err)
	}
	nodes, err := provider.ListNodes(clusterName)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		for _, a := range images {
			if err := nodeutils.LoadImageArchive(n, bytes.NewReader(a)); err != nil {
				t.Fatalf("load image into %s: %v", n, err)
			}
		}
	}
	kcData, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kcData)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := kube.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.WaitReady(ctx, 5*time.Minute, nil); err != nil {
		t.Fatal(err)
	}

	// helm install, with the SDK.
	settings := cli.New()
	settings.KubeConfig = kubeconfig
	settings.SetNamespace(namespace)
	hc := action.NewConfiguration()
	if err := hc.Init(settings.RESTClientGetter(), namespace, "secret"); err != nil {
		t.Fatal(err)
	}
	in := action.NewInstall(hc)
	in.ReleaseName, in.Namespace, in.CreateNamespace = release, namespace, true
	in.Timeout = 5 * time.Minute
	// No Helm wait: waitAvailable below polls the Deployment with retries and a longer deadline.
	in.WaitStrategy = helmkube.HookOnlyStrategy
	vals := map[string]any{
		"image":    map[string]any{"repository": strings.Split(appImage, ":")[0], "tag": "chart-test", "pullPolicy": "Never"},
		"admin":    map[string]any{"username": "root", "password": password},
		"labs":     map[string]any{"apiServer": cfg.Host}, // the learner's kubectl runs here, outside the cluster
		"logLevel": "debug",
		"backup":   map[string]any{"enabled": true},
	}
	t0 = time.Now()
	if _, err := in.RunWithContext(ctx, loadChart(t), vals); err != nil {
		t.Fatalf("helm install: %v", err)
	}
	pod := waitAvailable(t, ctx, admin)
	installReady := time.Since(t0)
	t.Logf("chart installed and the server ready in %.1fs (pod %s)", installReady.Seconds(), pod)
	defer func() {
		if t.Failed() {
			logs, _ := admin.Typed.CoreV1().Pods(namespace).GetLogs(pod, &corev1.PodLogOptions{}).DoRaw(context.Background())
			t.Logf("server log:\n%s", tail(string(logs), 60))
		}
	}()

	serverRights(t, ctx, admin)

	c := newClient(t, ctx, cfg, admin, pod)
	defer c.close()
	// Sign in as the admin from the chart's Secret.
	resp := c.do("POST", "/login", url.Values{"username": {"root"}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %s", resp.Status)
	}
	if c.do("GET", "/labs", nil).Request.URL.Path != "/labs" {
		t.Fatal("signed in, /labs still redirects to sign-in")
	}

	t1 := time.Now()
	c.do("POST", "/labs/"+testLab+"/start", url.Values{})
	c.waitSession(testLab, "ready")
	labReady := time.Since(t1)

	// The learner's kubeconfig: the namespace only, at the address given in labs.apiServer.
	kc := c.body(c.do("GET", "/labs/"+testLab+"/kubeconfig", nil))
	learnerKC := filepath.Join(t.TempDir(), "learner.kubeconfig")
	if err := os.WriteFile(learnerKC, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	lcfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatalf("learner kubeconfig: %v\n%s", err, kc)
	}
	if raw, err := clientcmd.Load(kc); err == nil && raw.Contexts[raw.CurrentContext] != nil {
		t.Logf("lab %s started through the chart in %.1fs, in namespace %s", testLab, labReady.Seconds(), raw.Contexts[raw.CurrentContext].Namespace)
	}
	if lcfg.Host != cfg.Host {
		t.Errorf("learner kubeconfig points at %s, want labs.apiServer %s", lcfg.Host, cfg.Host)
	}
	learner, err := kube.New(lcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := learner.Typed.CoreV1().Secrets("kube-system").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the learner lists kube-system's Secrets: err=%v, want Forbidden", err)
	}
	if _, err := learner.Typed.CoreV1().Secrets(namespace).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the learner lists the server's own namespace: err=%v, want Forbidden", err)
	}

	if passed, total := c.check(testLab); total == 0 || passed == total {
		t.Fatalf("untouched lab: %d of %d checks pass, want some failing", passed, total)
	}
	script, err := labs.FS.ReadFile(testLab + "/solution.sh")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := labtest.RunScript(ctx, script, learnerKC, t.TempDir()); err != nil {
		t.Fatalf("solution.sh with the learner's kubeconfig: %v\n%s", err, out)
	}
	err = wait.PollUntilContextTimeout(ctx, 3*time.Second, 3*time.Minute, true, func(context.Context) (bool, error) {
		passed, total := c.check(testLab)
		return total > 0 && passed == total, nil
	})
	if err != nil {
		t.Fatalf("after solution.sh the checks do not all pass: %v", err)
	}
	labChecked := time.Since(t1)
	rss := c.metric("process_resident_memory_bytes")
	t.Logf("server RSS after a lab: %.0f MiB", rss/(1<<20))
	c.do("POST", "/labs/"+testLab+"/stop", url.Values{})
	c.waitSession(testLab, "ended")

	runBackup(t, ctx, admin)

	un := action.NewUninstall(hc)
	un.Timeout = 3 * time.Minute
	un.WaitStrategy = helmkube.HookOnlyStrategy
	if _, err := un.Run(release); err != nil {
		t.Fatalf("helm uninstall: %v", err)
	}
	t.Logf("MEASURED kind cluster %.1fs; chart install to ready %.1fs; lab start through it %.1fs; start to a checked (solved) lab %.1fs; server RSS %.0f MiB",
		clusterUp.Seconds(), installReady.Seconds(), labReady.Seconds(), labChecked.Seconds(), rss/(1<<20))
}

// serverRights asks the real API server what the chart's ClusterRole lets the server's
// ServiceAccount do: what the incluster backend needs, and none of what would make a stolen
// token cluster admin directly.
func serverRights(t *testing.T, ctx context.Context, admin *kube.Client) {
	t.Helper()
	sa := release + "-kcnaprep"
	user := "system:serviceaccount:" + namespace + ":" + sa
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"}
	for _, a := range []struct {
		ns, group, resource, sub, verb string
		want                           bool
	}{
		{"", "", "namespaces", "", "create", true},
		{"", "", "namespaces", "", "delete", true},
		{"", "", "nodes", "", "list", true},
		{"", "storage.k8s.io", "storageclasses", "", "list", true},
		{"some-lab", "", "pods", "exec", "create", true},
		{"some-lab", "rbac.authorization.k8s.io", "roles", "", "create", true},
		{"some-lab", "apps", "deployments", "", "create", true},
		{"", "", "nodes", "proxy", "get", false},
		{"", "", "nodes", "", "patch", false},
		{"", "", "persistentvolumes", "", "create", false},
		{"", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", "create", false},
		{"", "apiextensions.k8s.io", "customresourcedefinitions", "", "create", false},
		{"", "rbac.authorization.k8s.io", "clusterroles", "", "escalate", false},
		{"", "rbac.authorization.k8s.io", "clusterroles", "", "bind", false},
		{"", "", "users", "", "impersonate", false},
	} {
		sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{User: user, Groups: groups,
			ResourceAttributes: &authzv1.ResourceAttributes{Namespace: a.ns, Verb: a.verb, Group: a.group, Resource: a.resource, Subresource: a.sub}}}
		var got *authzv1.SubjectAccessReview
		err := kube.RetryTransient(ctx, func() (err error) {
			got, err = admin.Typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
			return err
		})
		if err != nil {
			t.Fatalf("access review: %v", err)
		}
		if got.Status.Allowed != a.want {
			t.Errorf("the server's ServiceAccount may %s %s/%s (group %q) in %q: %v, want %v",
				a.verb, a.resource, a.sub, a.group, a.ns, got.Status.Allowed, a.want)
		}
	}
}

// runBackup runs the chart's backup CronJob once, as "kubectl create job --from=cronjob/..."
// would, while the server runs, and reads the backup command's report from its log.
func runBackup(t *testing.T, ctx context.Context, admin *kube.Client) {
	t.Helper()
	cj, err := admin.Typed.BatchV1().CronJobs(namespace).Get(ctx, release+"-kcnaprep-backup", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("backup CronJob: %v", err)
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "backup-now", Namespace: namespace}, Spec: cj.Spec.JobTemplate.Spec}
	err = kube.RetryTransient(ctx, func() error {
		_, err := admin.Typed.BatchV1().Jobs(namespace).Create(ctx, job, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatalf("create backup Job: %v", err)
	}
	var state string
	err = wait.PollUntilContextTimeout(ctx, 2*time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		j, err := admin.Typed.BatchV1().Jobs(namespace).Get(ctx, job.Name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		state = fmt.Sprintf("%d succeeded, %d failed", j.Status.Succeeded, j.Status.Failed)
		return j.Status.Succeeded > 0 || j.Status.Failed > 0, nil
	})
	pods, _ := admin.Typed.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: "job-name=" + job.Name})
	var logs string
	if pods != nil {
		for _, p := range pods.Items {
			out, _ := admin.Typed.CoreV1().Pods(namespace).GetLogs(p.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
			logs += string(out)
		}
	}
	if err != nil || !strings.Contains(state, "1 succeeded") {
		t.Fatalf("backup Job: %s (%v)\n%s", state, err, logs)
	}
	if !strings.Contains(logs, "backed up /data/kcnaprep.db to /data/backups/kcnaprep.db: 1 accounts") {
		t.Errorf("the backup's report is not what a backup of this server gives:\n%s", logs)
	}
	t.Logf("backup Job: %s", strings.TrimSpace(logs))
}

// waitAvailable waits for the Deployment's one Pod to be ready (readiness is /readyz) and
// returns its name. API errors are retried: the node may be loaded.
func waitAvailable(t *testing.T, ctx context.Context, c *kube.Client) string {
	t.Helper()
	var pod, last string
	err := wait.PollUntilContextTimeout(ctx, time.Second, 10*time.Minute, true, func(ctx context.Context) (bool, error) {
		d, err := c.Typed.AppsV1().Deployments(namespace).Get(ctx, release+"-kcnaprep", metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		if !available(d) {
			last = fmt.Sprintf("%d of 1 replicas available", d.Status.AvailableReplicas)
			return false, nil
		}
		pods, err := c.Typed.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
		if err != nil || len(pods.Items) != 1 {
			last = fmt.Sprintf("pods: %v", err)
			return false, nil
		}
		pod = pods.Items[0].Name
		return true, nil
	})
	if err != nil {
		t.Fatalf("the server did not become ready (%s): %v", last, err)
	}
	return pod
}

func available(d *appsv1.Deployment) bool {
	return d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas == 1 && d.Status.UpdatedReplicas == 1
}

// client talks HTTP to the installed server through a port-forward to its Pod, re-opening the
// forward when a request fails on it (it may drop on a loaded machine).
type client struct {
	t     *testing.T
	ctx   context.Context
	cfg   *rest.Config
	kc    *kube.Client
	pod   string
	http  *http.Client
	base  string
	close func()
}

func newClient(t *testing.T, ctx context.Context, cfg *rest.Config, kc *kube.Client, pod string) *client {
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, ctx: ctx, cfg: cfg, kc: kc, pod: pod, http: &http.Client{Jar: jar, Timeout: time.Minute}, close: func() {}}
	c.forward()
	return c
}

func (c *client) forward() {
	c.t.Helper()
	c.close()
	transport, upgrader, err := spdy.RoundTripperFor(c.cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	u := c.kc.Typed.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(c.pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	stop, ready := make(chan struct{}), make(chan struct{})
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8080"}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		c.t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- fw.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-errc:
		c.t.Fatalf("port-forward: %v", err)
	case <-c.ctx.Done():
		c.t.Fatal(c.ctx.Err())
	}
	ports, err := fw.GetPorts()
	if err != nil {
		c.t.Fatal(err)
	}
	c.base = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(int(ports[0].Local)))
	var once sync.Once
	c.close = func() { once.Do(func() { close(stop) }) }
}

// do sends a request (a form when form is not nil), following redirects, and fails the test on
// a status of 400 or more.
func (c *client) do(method, path string, form url.Values) *http.Response {
	c.t.Helper()
	var lastErr error
	for attempt := 0; attempt < 4; attempt++ {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(c.ctx, method, c.base+path, body)
		if err != nil {
			c.t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			lastErr = err
			time.Sleep(2 * time.Second)
			c.forward()
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(data))
		if resp.StatusCode >= 400 {
			c.t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, tail(string(data), 20))
		}
		return resp
	}
	c.t.Fatalf("%s %s: %v", method, path, lastErr)
	return nil
}

func (c *client) body(resp *http.Response) []byte {
	data, _ := io.ReadAll(resp.Body)
	return data
}

func (c *client) doc(resp *http.Response) *goquery.Document {
	c.t.Helper()
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return d
}

// waitSession polls the lab's session fragment until its state is want; a failed lab ends the
// test with the error the learner would see.
func (c *client) waitSession(lab, want string) *goquery.Document {
	c.t.Helper()
	var d *goquery.Document
	var state string
	err := wait.PollUntilContextTimeout(c.ctx, time.Second, 8*time.Minute, true, func(context.Context) (bool, error) {
		d = c.doc(c.do("GET", "/labs/"+lab+"/session", nil))
		state, _ = d.Find("[data-testid=lab-session]").Attr("data-state")
		if state == "failed" && want != "failed" {
			return false, errors.New("lab failed: " + d.Find("[data-testid=lab-error]").Text())
		}
		return state == want, nil
	})
	if err != nil {
		c.t.Fatalf("lab %s: waiting for state %s (last %q): %v", lab, want, state, err)
	}
	return d
}

// check grades the lab through the server and counts the passing checks.
func (c *client) check(lab string) (passed, total int) {
	c.t.Helper()
	c.do("POST", "/labs/"+lab+"/check", url.Values{})
	d := c.waitSession(lab, "ready")
	d.Find("[data-testid=lab-check-result]").Each(func(_ int, s *goquery.Selection) {
		total++
		if v, _ := s.Attr("data-passed"); v == "true" {
			passed++
		}
	})
	return passed, total
}

// metric reads one unlabelled gauge from the server's /metrics.
func (c *client) metric(name string) float64 {
	c.t.Helper()
	for _, line := range strings.Split(string(c.body(c.do("GET", "/metrics", nil))), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == name {
			v, err := strconv.ParseFloat(f[1], 64)
			if err == nil {
				return v
			}
		}
	}
	c.t.Fatalf("/metrics has no %s", name)
	return 0
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

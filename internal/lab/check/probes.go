package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// httpGet fetches a path from a Service or Pod through the API server's proxy. A status the
// backend answered (even 404 or 503) is a response; only a failure to reach the API server is an
// error. The body is cut at 64 KiB.
func httpGet(ctx context.Context, cl *Cluster, h *HTTPProbe) (map[string]any, error) {
	resource, name := "services", h.Service
	if h.Pod != "" {
		resource, name = "pods", h.Pod
	}
	path := h.Path
	if path == "" {
		path = "/"
	}
	res := cl.Client.Typed.CoreV1().RESTClient().Get().
		Namespace(cl.Namespace).Resource(resource).Name(name + ":" + h.Port).
		SubResource("proxy").Suffix(path).Do(ctx)
	var code int
	res.StatusCode(&code)
	body, err := res.Raw()
	if code == 0 {
		return nil, fmt.Errorf("%s: %v", errNoCluster, err)
	}
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	text := string(body)
	if err != nil && code >= 500 {
		// The proxy's own failures come back as a Status object: keep its message readable.
		if se, ok := err.(apierrors.APIStatus); ok && se.Status().Message != "" {
			text = se.Status().Message
		}
	}
	return map[string]any{"status": int64(code), "body": text}, nil
}

// access asks the API server whether the subject may (and may not) do each rule.
func (c *Check) access(ctx context.Context, cl *Cluster) Outcome {
	a := c.Access
	ns := a.Namespace
	if ns == "" {
		ns = cl.Namespace
	}
	user, groups := a.User, a.Groups
	subject := user
	if a.ServiceAccount != "" {
		user = "system:serviceaccount:" + ns + ":" + a.ServiceAccount
		groups = append([]string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}, groups...)
		subject = "ServiceAccount " + a.ServiceAccount
	}
	var wrong []string
	for _, r := range c.rules {
		attrs := &authzv1.ResourceAttributes{Verb: r.verb, Group: r.group, Resource: r.resource, Subresource: r.subresource}
		if cl.Client.ResourceScope(r.group, r.resource) {
			switch {
			case r.allNS: // "" asks across every namespace
			case r.namespace != "":
				attrs.Namespace = r.namespace
			default:
				attrs.Namespace = ns
			}
		}
		sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: attrs}}
		got, err := cl.Client.Typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			return Outcome{Detail: fmt.Sprintf("access review %q: %v", r.text, err)}
		}
		if got.Status.Allowed != r.allow {
			if r.allow {
				wrong = append(wrong, "may not "+r.text)
			} else {
				wrong = append(wrong, "may "+r.text+", and should not")
			}
		}
	}
	if len(wrong) > 0 {
		return Outcome{Detail: subject + " " + strings.Join(wrong, "; ")}
	}
	return Outcome{Passed: true}
}

// settledRetry is how long a probe pod retries when nothing in the namespace is converging:
// long enough for DNS and the network plugin to catch up with what is already there.
const settledRetry = 3 * time.Second

// connect runs a probe pod that tries to reach the URL until it answers or its retry time ends,
// and compares the outcome with what is expected. It retries for the check's timeout while the
// namespace is converging, for settledRetry when it has settled.
func (c *Check) connect(ctx context.Context, cl *Cluster, st *settler) Outcome {
	want := c.Connect.Reachable == nil || *c.Connect.Reachable
	retry := c.timeout
	if st.converging(ctx) == "" {
		retry = min(retry, settledRetry)
	}
	reached, detail := runProbePod(ctx, cl, c.Connect, retry)
	switch {
	case reached == want:
		return Outcome{Passed: true}
	case detail != "":
		return Outcome{Detail: detail}
	case want:
		return Outcome{Detail: c.Connect.URL + " did not answer"}
	default:
		return Outcome{Detail: c.Connect.URL + " answered, and should not have"}
	}
}

// runProbePod returns whether the URL answered, or an explanation when the probe itself could
// not run. The pod satisfies the restricted Pod Security Standard and carries small resource
// requests and limits, so namespaces with quotas or limit ranges accept it.
func runProbePod(ctx context.Context, cl *Cluster, p *ConnectProbe, within time.Duration) (bool, string) {
	labels := map[string]string{kube.LabelProbe: "true"}
	for k, v := range p.Labels {
		labels[k] = v
	}
	res := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("32Mi")}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "kcnaprep-probe-", Labels: labels},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To[int64](0),
			AutomountServiceAccountToken:  ptr.To(false),
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name:                     "probe",
				Image:                    cl.ProbeImage,
				ImagePullPolicy:          corev1.PullIfNotPresent,
				Args:                     []string{"probe", "--once", "--retry-for", within.String(), "--timeout", "2s", p.URL},
				Resources:                corev1.ResourceRequirements{Requests: res, Limits: res},
				TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
			}},
		},
	}
	pods := cl.Client.Typed.CoreV1().Pods(cl.Namespace)
	created, err := pods.Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		return false, probeNotRun + fmt.Sprintf("could not create it: %v", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = pods.Delete(dctx, created.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	}()
	// The pod needs time to start before it probes: seconds on an idle node, tens of seconds on a
	// loaded one. Its start has a budget of its own (probeStartBudget), so a slow start never eats
	// into the probe window; the window (within, plus slack for the last attempt) counts from the
	// moment the container runs.
	start := time.Now()
	var running time.Time
	var last string
	for {
		got, err := pods.Get(ctx, created.Name, metav1.GetOptions{})
		if err != nil {
			return false, probeNotRun + fmt.Sprintf("reading it: %v", err)
		}
		for _, s := range got.Status.ContainerStatuses {
			if t := s.State.Terminated; t != nil {
				if t.ExitCode == 0 {
					return true, ""
				}
				if t.ExitCode == 1 { // the probe ran and the URL did not answer: say how it failed
					return false, lastLine(t.Message)
				}
				return false, fmt.Sprintf("probe pod ended with code %d: %s", t.ExitCode, strings.TrimSpace(t.Message))
			}
			if s.State.Running != nil && running.IsZero() {
				running = time.Now()
			}
			if w := s.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" {
				last = w.Reason + ": " + w.Message
			}
		}
		if got.Status.Phase == corev1.PodFailed {
			return false, probeNotRun + fmt.Sprintf("the pod failed: %s %s", got.Status.Reason, got.Status.Message)
		}
		if running.IsZero() && last == "" {
			for _, c := range got.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
					last = "unschedulable: " + c.Message
				}
			}
		}
		switch {
		case running.IsZero() && time.Since(start) > probeStartBudget:
			if last != "" {
				return false, probeNotRun + last
			}
			return false, probeNotRun + fmt.Sprintf("it did not start within %s", probeStartBudget)
		case !running.IsZero() && time.Since(running) > within+probeSlack:
			return false, probeNotRun + "it did not finish in time"
		}
		select {
		case <-ctx.Done():
			if last != "" {
				return false, probeNotRun + last
			}
			if running.IsZero() {
				return false, probeNotRun + "the check's time ran out before it started (the cluster is busy: check again)"
			}
			return false, probeNotRun + "the check's time ran out while it probed"
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// probeNotRun starts the detail of a connect check whose probe pod could not do its work (not
// created, not started, cut short): the check failed for the cluster's sake, not because of
// what the learner built, and checking again may pass.
const probeNotRun = "the probe pod could not run: "

// Inconclusive says whether a check's failure detail is a probe that could not run rather
// than a verdict on the learner's work.
func Inconclusive(detail string) bool { return strings.HasPrefix(detail, probeNotRun) }

// probeStartBudget is how long a probe pod may take to be scheduled and start its container;
// probeSlack is how long past its retry window a running probe may take to exit (its last
// attempt's timeout and DNS lookup).
const (
	probeStartBudget = 2 * time.Minute
	probeSlack       = 15 * time.Second
)

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

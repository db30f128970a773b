package check

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A failing check keeps polling only while the lab's namespace is still converging: a rollout
// in progress, a Pod being created, scheduled, started or deleted, a Job running, a volume
// being provisioned, or an object changed a moment ago (the controllers have not reacted yet).
// When everything has settled (Pods running or stuck for good: CrashLoopBackOff, an image that
// cannot be pulled, unschedulable, refused by a quota) another poll cannot change the answer,
// so the check fails at once, whatever its timeout.

// Settling windows.
const (
	// recentChange: an object written this recently may still be acted on by a controller
	// (a new Service's EndpointSlice, a new quota's usage, a new RoleBinding in the authorizer).
	recentChange = 3 * time.Second
	// startWindow: how long a container that runs but is not ready yet gets to become ready,
	// on top of its readiness probe's initial delay and two periods.
	startWindow = 10 * time.Second
	// createWindow: how long a scheduled Pod may stay in ContainerCreating (pulling a local
	// image, mounting volumes) before it counts as stuck (a volume that never mounts).
	createWindow = 60 * time.Second
	// maxStartWindow caps the wait for readiness, whatever the probe's delays.
	maxStartWindow = 60 * time.Second
)

// stuckReasons are container waiting reasons that only the learner can end.
var stuckReasons = []string{"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull",
	"InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}

// settler answers "is the namespace still converging?", at most once per pollInterval for all
// the checks of one Grade.
type settler struct {
	cl  *Cluster
	now func() time.Time

	mu     sync.Mutex
	at     time.Time
	reason string
	err    error
}

func newSettler(cl *Cluster) *settler { return &settler{cl: cl, now: time.Now} }

// converging returns why the namespace is still converging, or "" when it has settled. When the
// state cannot be read it answers as if converging (keep polling, the safe side).
func (s *settler) converging(ctx context.Context) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.at.IsZero() && s.now().Sub(s.at) < pollInterval {
		return s.reason
	}
	st, err := readState(ctx, s.cl)
	s.at = s.now()
	if err != nil {
		s.reason, s.err = "state unreadable: "+err.Error(), err
		return s.reason
	}
	s.reason = st.converging(s.now())
	return s.reason
}

// nsState is what convergence is judged on: the workloads of one namespace.
type nsState struct {
	pods         []corev1.Pod
	deployments  []appsv1.Deployment
	replicaSets  []appsv1.ReplicaSet
	statefulSets []appsv1.StatefulSet
	daemonSets   []appsv1.DaemonSet
	jobs         []batchv1.Job
	claims       []corev1.PersistentVolumeClaim
	quotas       []corev1.ResourceQuota
	others       []metav1.Object // read only for when they last changed
}

func readState(ctx context.Context, cl *Cluster) (*nsState, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ns, c := cl.Namespace, cl.Client.Typed
	opts := metav1.ListOptions{}
	var st nsState
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	do := func(what string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("list %s: %w", what, err)
				}
				mu.Unlock()
			}
		}()
	}
	addOthers := func(objs []metav1.Object) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range objs {
			if o.GetLabels()[kube.LabelSystem] != "true" { // the learner's own access, written by the backend
				st.others = append(st.others, o)
			}
		}
	}
	do("pods", func() error {
		l, err := c.CoreV1().Pods(ns).List(ctx, opts)
		if err == nil {
			for _, p := range l.Items {
				if p.Labels[kube.LabelProbe] != "true" {
					st.pods = append(st.pods, p)
				}
			}
		}
		return err
	})
	do("deployments", func() error {
		l, err := c.AppsV1().Deployments(ns).List(ctx, opts)
		if err == nil {
			st.deployments = l.Items
		}
		return err
	})
	do("replicasets", func() error {
		l, err := c.AppsV1().ReplicaSets(ns).List(ctx, opts)
		if err == nil {
			st.replicaSets = l.Items
		}
		return err
	})
	do("statefulsets", func() error {
		l, err := c.AppsV1().StatefulSets(ns).List(ctx, opts)
		if err == nil {
			st.statefulSets = l.Items
		}
		return err
	})
	do("daemonsets", func() error {
		l, err := c.AppsV1().DaemonSets(ns).List(ctx, opts)
		if err == nil {
			st.daemonSets = l.Items
		}
		return err
	})
	do("jobs", func() error {
		l, err := c.BatchV1().Jobs(ns).List(ctx, opts)
		if err == nil {
			st.jobs = l.Items
		}
		return err
	})
	do("persistentvolumeclaims", func() error {
		l, err := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, opts)
		if err == nil {
			st.claims = l.Items
		}
		return err
	})
	do("resourcequotas", func() error {
		l, err := c.CoreV1().ResourceQuotas(ns).List(ctx, opts)
		if err == nil {
			st.quotas = l.Items
		}
		return err
	})
	do("services", func() error {
		l, err := c.CoreV1().Services(ns).List(ctx, opts)
		if err == nil {
			addOthers(metaOf(l.Items))
		}
		return err
	})
	do("networkpolicies", func() error {
		l, err := c.NetworkingV1().NetworkPolicies(ns).List(ctx, opts)
		if err == nil {
			addOthers(metaOf(l.Items))
		}
		return err
	})
	do("rolebindings", func() error {
		l, err := c.RbacV1().RoleBindings(ns).List(ctx, opts)
		if err == nil {
			addOthers(metaOf(l.Items))
		}
		return err
	})
	do("roles", func() error {
		l, err := c.RbacV1().Roles(ns).List(ctx, opts)
		if err == nil {
			addOthers(metaOf(l.Items))
		}
		return err
	})
	wg.Wait()
	return &st, firstErr
}

func metaOf[T any, PT interface {
	*T
	metav1.Object
}](items []T) []metav1.Object {
	out := make([]metav1.Object, len(items))
	for i := range items {
		out[i] = PT(&items[i])
	}
	return out
}

// lastChange is when an object was last written: its creation or the latest managedFields
// entry (spec and status writes alike).
func lastChange(o metav1.Object) time.Time {
	t := o.GetCreationTimestamp().Time
	for _, f := range o.GetManagedFields() {
		if f.Time != nil && f.Time.After(t) {
			t = f.Time.Time
		}
	}
	return t
}

// podState classifies a Pod: done (finished, or running and ready), stuck (only the learner can
// change it) or converging (with a reason).
type podState int

const (
	podDone podState = iota
	podStuck
	podConverging
)

func classifyPod(p *corev1.Pod, now time.Time) (podState, string) {
	if p.DeletionTimestamp != nil {
		return podConverging, "Pod " + p.Name + " is terminating"
	}
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return podDone, ""
	}
	statuses := append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...)
	for _, s := range statuses {
		if w := s.State.Waiting; w != nil && slices.Contains(stuckReasons, w.Reason) {
			return podStuck, ""
		}
	}
	var scheduled *corev1.PodCondition
	for i, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			scheduled = &p.Status.Conditions[i]
		}
	}
	if p.Status.Phase == corev1.PodPending || p.Status.Phase == "" {
		switch {
		case scheduled == nil:
			return podConverging, "Pod " + p.Name + " is being scheduled"
		case scheduled.Status == corev1.ConditionFalse:
			if scheduled.Reason == corev1.PodReasonUnschedulable {
				return podStuck, ""
			}
			return podConverging, "Pod " + p.Name + " is being scheduled"
		case now.Sub(scheduled.LastTransitionTime.Time) < createWindow:
			return podConverging, "Pod " + p.Name + " is starting"
		}
		return podStuck, ""
	}
	// Running: every container ready, or one still has time to become ready.
	for _, s := range p.Status.ContainerStatuses {
		if s.Ready {
			continue
		}
		if s.State.Running == nil {
			return podConverging, "Pod " + p.Name + " is restarting a container"
		}
		window := startWindow
		for _, c := range p.Spec.Containers {
			if c.Name == s.Name && c.ReadinessProbe != nil {
				period := c.ReadinessProbe.PeriodSeconds
				if period == 0 {
					period = 10
				}
				window += time.Duration(c.ReadinessProbe.InitialDelaySeconds+2*period) * time.Second
			}
		}
		if now.Sub(s.State.Running.StartedAt.Time) < min(window, maxStartWindow) {
			return podConverging, "Pod " + p.Name + " is getting ready"
		}
		return podStuck, ""
	}
	return podDone, ""
}

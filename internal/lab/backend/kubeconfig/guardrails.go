package kubeconfig

import (
	"context"
	"fmt"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// The guard rails of a learner's namespace on a cluster others share (a classroom cluster, or
// the shared kind cluster of --lab-isolation namespace, which is this backend pointed at it):
// besides the ServiceAccount and Role (grant), Pod Security (PodSecurityLevel) and the
// isolation NetworkPolicy (isolate), a ResourceQuota bounds what one learner's namespace may
// hold and a LimitRange gives containers that state nothing a small request and a CPU limit.
// All are labelled LabelSystem: a reset keeps them, and Attach puts back any the learner
// deleted or changed.
const (
	// PodSecurityLevel is the Pod Security Standard enforced in lab namespaces: no privileged
	// Pods, host namespaces, host paths or added capabilities. (Not "restricted": the labs'
	// own manifests and a plain "kubectl create deployment" run as the image's user.)
	PodSecurityLevel = "baseline"
	// QuotaName names the namespace's ResourceQuota.
	QuotaName = "kcnaprep-limits"
	// LimitRangeName names the namespace's LimitRange.
	LimitRangeName = "kcnaprep-defaults"
)

// PodSecurityLabels are the namespace labels that enforce PodSecurityLevel.
func PodSecurityLabels() map[string]string {
	return map[string]string{
		"pod-security.kubernetes.io/enforce":         PodSecurityLevel,
		"pod-security.kubernetes.io/enforce-version": "latest",
	}
}

// quota bounds one learner's namespace: object counts, storage, and CPU (requests: a node's
// worth at most, so one learner cannot take a shared node's CPU from the class; limits). No
// memory: the pending-pod lab asks for 500Gi on purpose and must stay Pending, not be refused.
func quota() *corev1.ResourceQuota {
	q := func(s string) resource.Quantity { return resource.MustParse(s) }
	return &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: QuotaName, Labels: map[string]string{kube.LabelSystem: "true"}},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			corev1.ResourcePods:                   q("30"),
			corev1.ResourceServices:               q("15"),
			corev1.ResourceServicesNodePorts:      q("5"),
			corev1.ResourceServicesLoadBalancers:  q("2"),
			corev1.ResourcePersistentVolumeClaims: q("5"),
			corev1.ResourceRequestsStorage:        q("10Gi"),
			corev1.ResourceConfigMaps:             q("60"),
			corev1.ResourceSecrets:                q("60"),
			"count/deployments.apps":              q("20"),
			"count/statefulsets.apps":             q("10"),
			"count/jobs.batch":                    q("30"),
			"count/cronjobs.batch":                q("10"),
			corev1.ResourceRequestsCPU:            q("2"),
			corev1.ResourceLimitsCPU:              q("8"),
		}},
	}
}

// limitRange gives a container that states no resources a small CPU and memory request (so
// thirty learners' Deployments fit a two-core node and the CPU quota can count them) and a CPU
// limit (a busy loop takes half a core, not the node). No default memory limit: a container
// that requests more memory than a default limit would be invalid rather than Pending.
func limitRange() *corev1.LimitRange {
	q := func(s string) resource.Quantity { return resource.MustParse(s) }
	return &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: LimitRangeName, Labels: map[string]string{kube.LabelSystem: "true"}},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Default:        corev1.ResourceList{corev1.ResourceCPU: q("500m")},
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: q("5m"), corev1.ResourceMemory: q("16Mi")},
		}}},
	}
}

// limit creates or restores the namespace's LimitRange and ResourceQuota, then waits until
// the quota controller has counted the namespace: until then the API server refuses every new
// Pod ("status unknown for quota"), which would fail a lab's set-up on a busy cluster.
func limit(ctx context.Context, c *kube.Client, ns string) error {
	lrs := c.Typed.CoreV1().LimitRanges(ns)
	wantLR := limitRange()
	err := kube.RetryTransient(ctx, func() error {
		cur, err := lrs.Get(ctx, LimitRangeName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err = lrs.Create(ctx, wantLR, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				return nil
			}
			return err
		case err != nil:
			return err
		case equality.Semantic.DeepEqual(cur.Spec, wantLR.Spec) && cur.Labels[kube.LabelSystem] == "true":
			return nil
		}
		cur.Spec, cur.Labels = wantLR.Spec, wantLR.Labels // the learner changed it
		_, err = lrs.Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("LimitRange %s in %s: %w", LimitRangeName, ns, err)
	}
	rqs := c.Typed.CoreV1().ResourceQuotas(ns)
	wantQ := quota()
	err = kube.RetryTransient(ctx, func() error {
		cur, err := rqs.Get(ctx, QuotaName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err = rqs.Create(ctx, wantQ, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				return nil
			}
			return err
		case err != nil:
			return err
		case equality.Semantic.DeepEqual(cur.Spec, wantQ.Spec) && cur.Labels[kube.LabelSystem] == "true":
			return nil
		}
		cur.Spec, cur.Labels = wantQ.Spec, wantQ.Labels
		_, err = rqs.Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("ResourceQuota %s in %s: %w", QuotaName, ns, err)
	}
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		cur, err := rqs.Get(ctx, QuotaName, metav1.GetOptions{})
		if err != nil {
			return false, nil // transient, or deleted meanwhile: the next Attach restores it
		}
		return equality.Semantic.DeepEqual(cur.Status.Hard, wantQ.Spec.Hard), nil
	})
	if err != nil {
		return fmt.Errorf("ResourceQuota %s in %s was not counted: %w", QuotaName, ns, err)
	}
	return nil
}

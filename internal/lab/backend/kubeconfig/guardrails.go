package kubeconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	admissionv1 "k8s.io/api/admissionregistration/v1"
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

// protect makes sure, once per process, that the guard policy is in place.
func (b *Backend) protect(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.protected {
		return nil
	}
	err := protect(ctx, b.client)
	switch {
	case errors.Is(err, errNoAdmissionPolicies):
		err = nil
	case apierrors.IsForbidden(err):
		// The server may not manage admission policies (the Helm chart's narrowed role does
		// not grant them: creating one is a cluster-wide power). Labs still run, with Attach
		// as the only repair of the guard rails, as on a cluster without the API.
		slog.Warn("lab guard rails: no admission policy (the server may not create one); each attach repairs the quota, limit range and isolation instead",
			"policy", GuardPolicyName, "error", err)
		err = nil
	}
	b.protected = err == nil
	return err
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

// GuardPolicyName names the ValidatingAdmissionPolicy (and its binding) that keeps learners
// from deleting or changing their namespace's guard rails.
const GuardPolicyName = "kcnaprep-guard-rails"

// guardPolicy refuses a learner (any lab namespace's LearnerName ServiceAccount, which the
// toolbox and the learner's kubeconfig act as) an UPDATE or DELETE of an object labelled
// LabelSystem among the guard rails and the learner's access: the quota, the limit range, the
// isolation policy, the ServiceAccount, its token, Role and RoleBinding. The learner's Role
// must allow these kinds (the resource-quota and network-policy labs create their own), and
// Attach would only put the guard rails back on the next exec or check; this closes the time
// in between. The server's own account (the admin kubeconfig, the chart's ServiceAccount) is
// not a learner, so set-ups, resets and Attach go on as before.
func guardPolicy() (*admissionv1.ValidatingAdmissionPolicy, *admissionv1.ValidatingAdmissionPolicyBinding) {
	fail := admissionv1.Fail
	forbidden := metav1.StatusReasonForbidden
	ops := []admissionv1.OperationType{admissionv1.Update, admissionv1.Delete}
	rule := func(group string, resources ...string) admissionv1.NamedRuleWithOperations {
		return admissionv1.NamedRuleWithOperations{RuleWithOperations: admissionv1.RuleWithOperations{Operations: ops,
			Rule: admissionv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: resources}}}
	}
	labels := map[string]string{kube.LabelManaged: "true"}
	p := &admissionv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: GuardPolicyName, Labels: labels},
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{
				rule("", "resourcequotas", "limitranges", "serviceaccounts", "secrets"),
				rule("networking.k8s.io", "networkpolicies"),
				rule("rbac.authorization.k8s.io", "roles", "rolebindings"),
			}},
			MatchConditions: []admissionv1.MatchCondition{{Name: "learner", Expression: fmt.Sprintf(
				"request.userInfo.username.startsWith('system:serviceaccount:') && request.userInfo.username.endsWith(':%s')", LearnerName)}},
			Validations: []admissionv1.Validation{{
				Expression: fmt.Sprintf("!has(oldObject.metadata.labels) || !('%s' in oldObject.metadata.labels)", kube.LabelSystem),
				Message:    "this is one of kcnaprep's guard rails of your lab namespace (quota, limit range, isolation policy, your access); it cannot be changed or deleted",
				Reason:     &forbidden,
			}},
		},
	}
	b := &admissionv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: GuardPolicyName, Labels: labels},
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        GuardPolicyName,
			ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
			MatchResources: &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: kube.LabelManaged, Operator: metav1.LabelSelectorOpExists}}}},
		},
	}
	return p, b
}

// errNoAdmissionPolicies: the cluster has no ValidatingAdmissionPolicy API (before Kubernetes
// 1.30). Labs still run there, with Attach as the only repair of the guard rails.
var errNoAdmissionPolicies = errors.New("the cluster has no ValidatingAdmissionPolicy API")

// protect creates or updates the guard policy and its binding (cluster-wide, shared by every
// installation on the cluster: the same objects).
func protect(ctx context.Context, c *kube.Client) error {
	want, wantB := guardPolicy()
	api := c.Typed.AdmissionregistrationV1()
	return kube.RetryTransient(ctx, func() error {
		cur, err := api.ValidatingAdmissionPolicies().Get(ctx, GuardPolicyName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err := api.ValidatingAdmissionPolicies().Create(ctx, want, metav1.CreateOptions{})
			if apierrors.IsNotFound(err) { // the API itself is missing: an old cluster
				return errNoAdmissionPolicies
			}
			if err != nil && !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("create ValidatingAdmissionPolicy %s: %w", GuardPolicyName, err)
			}
		case err != nil:
			return fmt.Errorf("read ValidatingAdmissionPolicy %s: %w", GuardPolicyName, err)
		case !equality.Semantic.DeepEqual(cur.Spec.Validations, want.Spec.Validations) ||
			!equality.Semantic.DeepEqual(cur.Spec.MatchConditions, want.Spec.MatchConditions) ||
			!equality.Semantic.DeepEqual(cur.Spec.MatchConstraints.ResourceRules, want.Spec.MatchConstraints.ResourceRules):
			cur.Spec = want.Spec
			if _, err := api.ValidatingAdmissionPolicies().Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("update ValidatingAdmissionPolicy %s: %w", GuardPolicyName, err)
			}
		}
		_, err = api.ValidatingAdmissionPolicyBindings().Get(ctx, GuardPolicyName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			_, err = api.ValidatingAdmissionPolicyBindings().Create(ctx, wantB, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				err = nil
			}
		}
		if err != nil {
			return fmt.Errorf("ValidatingAdmissionPolicyBinding %s: %w", GuardPolicyName, err)
		}
		return nil
	})
}

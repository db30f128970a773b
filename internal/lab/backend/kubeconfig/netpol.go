package kubeconfig

import (
	"context"
	"fmt"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	netv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IsolationPolicy names the NetworkPolicy that keeps other learners out of a lab namespace.
const IsolationPolicy = "kcnaprep-isolate"

// isolationPolicy admits traffic into the namespace's Pods only from Pods of the same
// namespace and from namespaces that are not lab namespaces (kube-system, an ingress
// controller): another learner's Pod cannot reach this learner's Services. It is labelled
// LabelSystem, so a reset keeps it; the learner cannot delete it for good (Attach restores it),
// and the grader's traffic model leaves it out (it grades the learner's policies).
//
// It only works where the network plugin enforces NetworkPolicy (Calico, Cilium, ...); kind's
// default kindnet does not, and then the policy is there but inert.
func isolationPolicy() *netv1.NetworkPolicy {
	return &netv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: IsolationPolicy, Labels: map[string]string{kube.LabelSystem: "true"}},
		Spec: netv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []netv1.PolicyType{netv1.PolicyTypeIngress},
			Ingress: []netv1.NetworkPolicyIngressRule{{From: []netv1.NetworkPolicyPeer{
				{PodSelector: &metav1.LabelSelector{}},
				{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: kube.LabelManaged, Operator: metav1.LabelSelectorOpDoesNotExist}}}},
			}}},
		},
	}
}

func isolate(ctx context.Context, c *kube.Client, ns string) error {
	pols := c.Typed.NetworkingV1().NetworkPolicies(ns)
	want := isolationPolicy()
	cur, err := pols.Get(ctx, IsolationPolicy, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = pols.Create(ctx, want, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			err = nil
		}
	case err == nil && equality.Semantic.DeepEqual(cur.Spec, want.Spec) && cur.Labels[kube.LabelSystem] == "true":
		return nil
	case err == nil:
		cur.Spec, cur.Labels = want.Spec, want.Labels // the learner may have changed it
		_, err = pols.Update(ctx, cur, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("NetworkPolicy %s in %s: %w", IsolationPolicy, ns, err)
	}
	return nil
}

package kubeconfig

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	authzv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// learnerVerbs are what the learner may do in their namespace. Not bind, escalate or
// impersonate: with bind on ClusterRoles a learner could bind cluster-admin inside the
// namespace, which would include editing the Namespace object itself (and its Pod Security
// labels).
var learnerVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}

// learnerRules lists, from discovery, every namespaced resource and subresource of the cluster.
// Not "*": a Role's rule on "namespaces" (which "*" includes) reaches the learner's own
// Namespace object, and with it the Pod Security labels.
func learnerRules(c *kube.Client) ([]rbacv1.PolicyRule, error) {
	// Every version of every group, with subresources (the "preferred" lists leave them out).
	_, lists, err := c.Typed.Discovery().ServerGroupsAndResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("discover namespaced resources: %w", err)
	}
	byGroup := map[string][]string{}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if !r.Namespaced {
				continue
			}
			// Subresources are listed one by one: RBAC matches "*/log" but not "pods/*".
			if !strings.HasPrefix(r.Name, "namespaces") && !slices.Contains(byGroup[gv.Group], r.Name) {
				byGroup[gv.Group] = append(byGroup[gv.Group], r.Name)
			}
		}
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	var rules []rbacv1.PolicyRule
	for _, g := range groups {
		res := byGroup[g]
		slices.Sort(res)
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: res, Verbs: learnerVerbs})
	}
	// "kubectl auth can-i --as=system:serviceaccount:NS:NAME" impersonates: allow it for the
	// namespace's own ServiceAccounts, which hold only what the learner granted them.
	rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: []string{"impersonate"}})
	return rules, nil
}

// grantable keeps, of the learner's rules, those the server itself holds in ns: Kubernetes
// lets nobody grant what they lack, so a Role with more fails to be created. An admin
// kubeconfig holds everything and keeps every rule; the Helm chart's narrower ClusterRole (no
// cluster-scoped resources, no custom resources) keeps the built-in namespaced resources, and the
// learner loses, say, a CRD's objects that the server could not touch either.
func (b *Backend) grantable(ctx context.Context, ns string, rules []rbacv1.PolicyRule) ([]rbacv1.PolicyRule, error) {
	review := &authzv1.SelfSubjectRulesReview{Spec: authzv1.SelfSubjectRulesReviewSpec{Namespace: ns}}
	var held []authzv1.ResourceRule
	err := kube.RetryTransient(ctx, func() error {
		got, err := b.client.Typed.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx, review, metav1.CreateOptions{})
		if err == nil {
			held = got.Status.ResourceRules
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("review the server's own rights in %s: %w", ns, err)
	}
	return heldRules(rules, held), nil
}

// heldRules is the part of rules (one API group each, no resource names) that held covers.
func heldRules(rules []rbacv1.PolicyRule, held []authzv1.ResourceRule) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, r := range rules {
		var res []string
		for _, name := range r.Resources {
			if holds(held, r.APIGroups, name, r.Verbs) {
				res = append(res, name)
			}
		}
		if len(res) > 0 {
			r.Resources = res
			out = append(out, r)
		}
	}
	return out
}

// holds reports whether held allows every verb on resource (a name, or name/subresource) in
// every one of groups. A rule limited to resource names does not count: the learner's do not
// name objects.
func holds(held []authzv1.ResourceRule, groups []string, resource string, verbs []string) bool {
	matches := func(list []string, v string) bool { return slices.Contains(list, "*") || slices.Contains(list, v) }
	matchesResource := func(list []string) bool {
		if matches(list, resource) {
			return true
		}
		if _, sub, ok := strings.Cut(resource, "/"); ok {
			return slices.Contains(list, "*/"+sub)
		}
		return false
	}
	for _, g := range groups {
		for _, v := range verbs {
			if !slices.ContainsFunc(held, func(h authzv1.ResourceRule) bool {
				return len(h.ResourceNames) == 0 && matches(h.APIGroups, g) && matchesResource(h.Resources) && matches(h.Verbs, v)
			}) {
				return false
			}
		}
	}
	return true
}

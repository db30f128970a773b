package kubeconfig

import (
	"reflect"
	"testing"

	authzv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// The learner gets what the server holds in the namespace, and nothing it does not (the API
// server would refuse the whole Role).
func TestHeldRules(t *testing.T) {
	learner := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps", "pods", "pods/exec", "serviceaccounts/token"}, Verbs: learnerVerbs},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/scale"}, Verbs: learnerVerbs},
		{APIGroups: []string{"example.com"}, Resources: []string{"widgets"}, Verbs: learnerVerbs},
		{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: []string{"impersonate"}},
	}
	admin := []authzv1.ResourceRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}
	if got := heldRules(learner, admin); !reflect.DeepEqual(got, learner) {
		t.Errorf("an admin keeps every rule; got %v", got)
	}

	narrow := []authzv1.ResourceRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps", "pods", "pods/exec"}, Verbs: learnerVerbs},
		{APIGroups: []string{"apps"}, Resources: []string{"*"}, Verbs: []string{"*"}},
		// Read only: not enough for the learner's verbs.
		{APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"get", "list", "watch"}},
		// Limited to one name: does not cover the learner's unnamed rule.
		{APIGroups: []string{"example.com"}, Resources: []string{"widgets"}, ResourceNames: []string{"one"}, Verbs: []string{"*"}},
		{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: []string{"impersonate"}},
	}
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps", "pods", "pods/exec"}, Verbs: learnerVerbs},
		learner[1],
		learner[3],
	}
	if got := heldRules(learner, narrow); !reflect.DeepEqual(got, want) {
		t.Errorf("narrow server role:\n got %v\nwant %v", got, want)
	}

	// "*/scale" covers every scale subresource, and nothing else.
	sub := []authzv1.ResourceRule{{APIGroups: []string{"apps"}, Resources: []string{"*/scale"}, Verbs: []string{"*"}}}
	if got := heldRules(learner[1:2], sub); len(got) != 1 || !reflect.DeepEqual(got[0].Resources, []string{"deployments/scale"}) {
		t.Errorf("*/scale: got %v", got)
	}
	if got := heldRules(learner, nil); got != nil {
		t.Errorf("a server without rights grants nothing, got %v", got)
	}
}

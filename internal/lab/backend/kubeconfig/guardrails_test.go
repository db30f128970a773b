package kubeconfig

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestGuardRailsFitTheLabs pins the properties of the quota and limit range that the labs
// depend on: no memory cap or default memory limit (the pending-pod lab's 500Gi request must
// stay Pending, not be refused or made invalid), a CPU request default small enough for a
// class on two cores, and a CPU default limit at least the request.
func TestGuardRailsFitTheLabs(t *testing.T) {
	q := quota()
	for name := range q.Spec.Hard {
		if strings.Contains(string(name), "memory") {
			t.Errorf("quota caps %s: the pending-pod lab asks for 500Gi on purpose", name)
		}
	}
	if q.Labels["kcnaprep.dev/system"] != "true" {
		t.Error("quota is not labelled as the lab's system (a reset would delete it)")
	}
	lr := limitRange().Spec.Limits[0]
	if _, ok := lr.Default[corev1.ResourceMemory]; ok {
		t.Error("a default memory limit makes a Pod requesting more memory than it invalid")
	}
	req, lim := lr.DefaultRequest[corev1.ResourceCPU], lr.Default[corev1.ResourceCPU]
	if req.Cmp(resource.MustParse("10m")) > 0 || req.Cmp(lim) > 0 {
		t.Errorf("default CPU request %s (limit %s): 30 learners' Pods must fit two cores", req.String(), lim.String())
	}
	p, b := guardPolicy()
	if b.Spec.PolicyName != p.Name || len(p.Spec.Validations) != 1 || !strings.Contains(p.Spec.MatchConditions[0].Expression, LearnerName) {
		t.Errorf("guard policy %+v / binding %+v", p.Spec, b.Spec)
	}
}

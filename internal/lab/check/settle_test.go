package check

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// TestConvergingSettles: the states of untouched and wrongly solved labs count as settled (a
// check fails at once), the states in between as converging (a check keeps polling).
func TestConvergingSettles(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	long := metav1.NewTime(now.Add(-5 * time.Minute))
	just := metav1.NewTime(now.Add(-time.Second))
	owned := func(uid string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{UID: types.UID(uid), Controller: ptr.To(true), Kind: "ReplicaSet", Name: "x"}}
	}
	meta := func(name string, created metav1.Time) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, CreationTimestamp: created, Generation: 1}
	}
	pod := func(name string, phase corev1.PodPhase, cond *corev1.PodCondition, cs ...corev1.ContainerStatus) corev1.Pod {
		p := corev1.Pod{ObjectMeta: meta(name, long), Status: corev1.PodStatus{Phase: phase, ContainerStatuses: cs}}
		p.OwnerReferences = owned("rs-1")
		if cond != nil {
			p.Status.Conditions = []corev1.PodCondition{*cond}
		}
		return p
	}
	scheduled := &corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: long}
	unschedulable := &corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, LastTransitionTime: long}
	waiting := func(reason string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: "app", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
	}
	running := func(ready bool, started metav1.Time) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: "app", Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}}
	}
	rollingOut := func() appsv1.Deployment {
		d := appsv1.Deployment{ObjectMeta: meta("web", long), Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1)},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1}}
		d.UID = "dep-1"
		return d
	}
	rs := appsv1.ReplicaSet{ObjectMeta: meta("web-1", long)}
	rs.UID = "rs-1"
	rs.OwnerReferences = []metav1.OwnerReference{{UID: "dep-1", Controller: ptr.To(true), Kind: "Deployment", Name: "web"}}

	cases := []struct {
		name     string
		st       nsState
		settling string // "" = settled
	}{
		{"empty namespace", nsState{}, ""},
		{"crash loop", nsState{pods: []corev1.Pod{pod("a", corev1.PodRunning, scheduled, waiting("CrashLoopBackOff"))},
			deployments: []appsv1.Deployment{rollingOut()}, replicaSets: []appsv1.ReplicaSet{rs}}, ""},
		{"unschedulable", nsState{pods: []corev1.Pod{pod("a", corev1.PodPending, unschedulable)},
			deployments: []appsv1.Deployment{rollingOut()}, replicaSets: []appsv1.ReplicaSet{rs}}, ""},
		{"image not found", nsState{pods: []corev1.Pod{pod("a", corev1.PodPending, scheduled, waiting("ErrImageNeverPull"))}}, ""},
		{"never ready", nsState{pods: []corev1.Pod{pod("a", corev1.PodRunning, scheduled, running(false, long))}}, ""},
		{"ready", nsState{pods: []corev1.Pod{pod("a", corev1.PodRunning, scheduled, running(true, long))}}, ""},
		{"warming up", nsState{pods: []corev1.Pod{pod("a", corev1.PodRunning, scheduled, running(false, just))}}, "getting ready"},
		{"being scheduled", nsState{pods: []corev1.Pod{pod("a", corev1.PodPending, nil)}}, "being scheduled"},
		{"creating", nsState{pods: []corev1.Pod{pod("a", corev1.PodPending, &corev1.PodCondition{Type: corev1.PodScheduled,
			Status: corev1.ConditionTrue, LastTransitionTime: just}, waiting("ContainerCreating"))}}, "starting"},
		{"just written", nsState{others: []metav1.Object{&corev1.Service{ObjectMeta: meta("svc", just)}}}, "changed"},
		{"rolling out, Pods all ready", nsState{pods: []corev1.Pod{pod("a", corev1.PodRunning, scheduled, running(true, long))},
			deployments: []appsv1.Deployment{rollingOut()}, replicaSets: []appsv1.ReplicaSet{rs}}, "rolling out"},
		{"job running", nsState{jobs: []batchv1.Job{{ObjectMeta: meta("j", long), Status: batchv1.JobStatus{Active: 2}}}}, "running"},
		{"job done", nsState{jobs: []batchv1.Job{{ObjectMeta: meta("j", long), Status: batchv1.JobStatus{Succeeded: 3,
			Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}}}, ""},
		{"quota not counted", nsState{quotas: []corev1.ResourceQuota{{ObjectMeta: meta("q", long),
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: *resourceQty("10")}}}}}, "counted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.st.converging(now)
			if (tc.settling == "") != (got == "") || !strings.Contains(got, tc.settling) {
				t.Errorf("converging = %q, want %q", got, tc.settling)
			}
		})
	}
}

func resourceQty(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}

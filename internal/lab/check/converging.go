package check

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// converging returns the first reason the namespace is still converging, or "".
func (st *nsState) converging(now time.Time) string {
	recent := func(o metav1.Object, kind string) string {
		if d := now.Sub(lastChange(o)); d < recentChange {
			return fmt.Sprintf("%s %s changed %.0fs ago", kind, o.GetName(), max(d.Seconds(), 0))
		}
		return ""
	}
	// Pods, by the controller that owns them.
	stuckOwners := map[string]bool{} // owner UID -> one of its Pods is stuck
	for i := range st.pods {
		p := &st.pods[i]
		if r := recent(p, "Pod"); r != "" {
			return r
		}
		state, why := classifyPod(p, now)
		if state == podConverging {
			return why
		}
		if state == podStuck {
			if o := metav1.GetControllerOf(p); o != nil {
				stuckOwners[string(o.UID)] = true
			}
		}
	}
	for _, o := range st.others {
		if r := recent(o, "object"); r != "" {
			return r
		}
	}
	rsFailed := map[string]bool{} // Deployment UID -> a ReplicaSet of it cannot create Pods, or has a stuck Pod
	for i := range st.replicaSets {
		rs := &st.replicaSets[i]
		failed := stuckOwners[string(rs.UID)]
		for _, c := range rs.Status.Conditions {
			if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
				failed = true
			}
		}
		owner := metav1.GetControllerOf(rs)
		if owner != nil && failed {
			rsFailed[string(owner.UID)] = true
		}
		if r := recent(rs, "ReplicaSet"); r != "" {
			return r
		}
		if owner == nil && !failed && (rs.Status.ObservedGeneration < rs.Generation ||
			rs.Status.Replicas != ptrOr(rs.Spec.Replicas, 1) || rs.Status.ReadyReplicas != rs.Status.Replicas) {
			return "ReplicaSet " + rs.Name + " is scaling"
		}
	}
	for i := range st.deployments {
		d := &st.deployments[i]
		if r := recent(d, "Deployment"); r != "" {
			return r
		}
		if d.Status.ObservedGeneration < d.Generation {
			return "Deployment " + d.Name + " is being updated"
		}
		want := ptrOr(d.Spec.Replicas, 1)
		done := d.Status.UpdatedReplicas == want && d.Status.Replicas == want && d.Status.AvailableReplicas == want
		if done || d.Spec.Paused || rsFailed[string(d.UID)] {
			continue
		}
		deadline := false
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse {
				deadline = true
			}
		}
		if !deadline {
			return "Deployment " + d.Name + " is rolling out"
		}
	}
	for i := range st.statefulSets {
		s := &st.statefulSets[i]
		if r := recent(s, "StatefulSet"); r != "" {
			return r
		}
		if s.Status.ObservedGeneration < s.Generation {
			return "StatefulSet " + s.Name + " is being updated"
		}
		want := ptrOr(s.Spec.Replicas, 1)
		done := s.Status.ReadyReplicas == want && s.Status.Replicas == want &&
			s.Status.UpdatedReplicas == want && s.Status.CurrentRevision == s.Status.UpdateRevision
		if !done && !stuckOwners[string(s.UID)] {
			return "StatefulSet " + s.Name + " is rolling out"
		}
	}
	for i := range st.daemonSets {
		d := &st.daemonSets[i]
		if r := recent(d, "DaemonSet"); r != "" {
			return r
		}
		if d.Status.ObservedGeneration < d.Generation {
			return "DaemonSet " + d.Name + " is being updated"
		}
		want := d.Status.DesiredNumberScheduled
		done := d.Status.NumberReady == want && d.Status.UpdatedNumberScheduled == want && d.Status.CurrentNumberScheduled == want
		if !done && !stuckOwners[string(d.UID)] {
			return "DaemonSet " + d.Name + " is rolling out"
		}
	}
	for i := range st.jobs {
		j := &st.jobs[i]
		if r := recent(j, "Job"); r != "" {
			return r
		}
		finished := false
		for _, c := range j.Status.Conditions {
			if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
				finished = true
			}
		}
		suspended := j.Spec.Suspend != nil && *j.Spec.Suspend
		// A Job whose Pods fail and that has none running is backing off: only the learner can fix it.
		backingOff := j.Status.Failed > 0 && j.Status.Active == 0
		if !finished && !suspended && !backingOff && !stuckOwners[string(j.UID)] {
			return "Job " + j.Name + " is running"
		}
	}
	for i := range st.claims {
		c := &st.claims[i]
		if r := recent(c, "PersistentVolumeClaim"); r != "" {
			return r
		}
		if c.Status.Phase == corev1.ClaimPending && c.Annotations["volume.kubernetes.io/selected-node"] != "" {
			return "PersistentVolumeClaim " + c.Name + " is being provisioned"
		}
	}
	for i := range st.quotas {
		q := &st.quotas[i]
		if r := recent(q, "ResourceQuota"); r != "" {
			return r
		}
		if len(q.Status.Hard) != len(q.Spec.Hard) || q.Status.Used == nil {
			return "ResourceQuota " + q.Name + " is being counted"
		}
	}
	return ""
}

func ptrOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

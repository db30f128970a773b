package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
)

// WaitReady waits until the cluster can run a lab: the API server answers, every node is Ready
// and CoreDNS has all its replicas available. kind's own wait covers the control plane only.
// progress, when not nil, is told what is still awaited.
func (c *Client) WaitReady(ctx context.Context, timeout time.Duration, progress func(string)) error {
	var last string
	report := func(s string) {
		if s != last && progress != nil {
			progress(s)
		}
		last = s
	}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		nodes, err := c.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			report("API server not answering yet")
			return false, nil
		}
		if len(nodes.Items) == 0 {
			report("no nodes registered yet")
			return false, nil
		}
		var notReady []string
		for _, n := range nodes.Items {
			if !nodeReady(&n) {
				notReady = append(notReady, n.Name)
			}
		}
		if len(notReady) > 0 {
			report("nodes not Ready: " + strings.Join(notReady, ", "))
			return false, nil
		}
		dns, err := c.Typed.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil // a cluster without CoreDNS (not kind): nothing to wait for
		}
		if err != nil || !deploymentAvailable(dns) {
			report("CoreDNS not available yet")
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("cluster not ready after %s (%s): %w", timeout, last, err)
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	return d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == want && d.Status.AvailableReplicas == want
}

// EnsureNamespace creates the namespace with labels (or adds the labels to an existing one) and
// waits for its default ServiceAccount: pods created before it exists are rejected.
func (c *Client) EnsureNamespace(ctx context.Context, name string, labels map[string]string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		got, err := c.Typed.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err = c.Typed.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) && !Transient(err) {
				return false, fmt.Errorf("create namespace %s: %w", name, err)
			}
			return false, nil
		case Transient(err):
			return false, nil // the API server or etcd is busy: ask again
		case err != nil:
			return false, fmt.Errorf("get namespace %s: %w", name, err)
		case got.DeletionTimestamp != nil:
			return false, nil // still terminating from an earlier session: wait
		}
		changed := false
		if got.Labels == nil {
			got.Labels = map[string]string{}
		}
		for k, v := range labels {
			if got.Labels[k] != v {
				got.Labels[k], changed = v, true
			}
		}
		if changed {
			if _, err := c.Typed.CoreV1().Namespaces().Update(ctx, got, metav1.UpdateOptions{}); err != nil {
				return false, nil // a conflict: read again
			}
		}
		_, err = c.Typed.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	return nil
}

// DeleteNamespace deletes a namespace, first force-deleting its pods so that the namespace does
// not wait out their grace periods. It does not wait for the namespace to disappear.
func (c *Client) DeleteNamespace(ctx context.Context, name string) error {
	zero := int64(0)
	err := RetryTransient(ctx, func() error {
		return c.Typed.CoreV1().Pods(name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete pods of %s: %w", name, err)
	}
	err = RetryTransient(ctx, func() error { return c.Typed.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{}) })
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete namespace %s: %w", name, err)
	}
	return nil
}

// skipOnWipe are resources a reset leaves alone: events are history, and the rest are
// recreated by controllers or hold the learner's own access (labelled LabelSystem anyway).
var skipOnWipe = []string{"events", "events.events.k8s.io", "bindings", "localsubjectaccessreviews.authorization.k8s.io",
	"endpoints", "endpointslices.discovery.k8s.io", "controllerrevisions.apps", "leases.coordination.k8s.io"}

// WipeNamespace deletes every object in the namespace except those labelled LabelSystem=true,
// the namespace's default ServiceAccount and its kube-root-ca.crt ConfigMap, and waits until
// they are gone. Pods are deleted without a grace period, repeatedly, because controllers
// being deleted may still create some. This is how a namespace lab is reset: the namespace and
// the learner's access to it survive.
func (c *Client) WipeNamespace(ctx context.Context, ns string, timeout time.Duration) error {
	var lists []*metav1.APIResourceList
	err := RetryTransient(ctx, func() (err error) {
		lists, err = discovery.ServerPreferredNamespacedResources(c.Typed.Discovery())
		if len(lists) > 0 {
			return nil // some groups failed to answer: wipe what the others list
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("discover resources: %w", err)
	}
	var gvrs []schema.GroupVersionResource
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			full := r.Name
			if gv.Group != "" {
				full += "." + gv.Group
			}
			if strings.Contains(r.Name, "/") || slices.Contains(skipOnWipe, full) ||
				!slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "delete") {
				continue
			}
			gvrs = append(gvrs, gv.WithResource(r.Name))
		}
	}
	zero := int64(0)
	background := metav1.DeletePropagationBackground
	keep := LabelSystem + "!=true"
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		left := 0
		for _, gvr := range gvrs {
			ri := c.Dynamic.Resource(gvr).Namespace(ns)
			l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: keep})
			if err != nil {
				continue // e.g. a resource that cannot be listed by label
			}
			for _, o := range l.Items {
				if (gvr.Resource == "serviceaccounts" && o.GetName() == "default") ||
					(gvr.Resource == "configmaps" && o.GetName() == "kube-root-ca.crt") {
					continue
				}
				left++
				if len(o.GetFinalizers()) > 0 && o.GetDeletionTimestamp() != nil && gvr.Resource != "pods" {
					continue // being deleted; finalizers (e.g. pvc-protection) release it
				}
				err := ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{GracePeriodSeconds: &zero, PropagationPolicy: &background})
				if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) && !Transient(err) {
					return false, fmt.Errorf("delete %s %s: %w", gvr.Resource, o.GetName(), err)
				}
			}
		}
		return left == 0, nil
	})
	if err != nil {
		return fmt.Errorf("wipe namespace %s: %w", ns, err)
	}
	return nil
}

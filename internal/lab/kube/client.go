// Package kube is the lab engine's small layer over client-go: a dynamic client with a
// discovery-backed REST mapper, server-side apply of manifests, and the waits and clean-ups that
// backends and sessions share (cluster readiness, namespaces, wiping a namespace for a reset).
package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// Labels and names the lab engine puts on what it creates.
const (
	// LabelManaged marks namespaces and cluster-scoped objects created for a lab session.
	LabelManaged = "kcnaprep.dev/managed"
	// LabelSession holds the session id on a lab namespace.
	LabelSession = "kcnaprep.dev/session"
	// LabelInstance holds the id of the kcnaprep installation that owns the object, so two
	// installations sharing a cluster or a Docker engine never clean up each other's labs.
	LabelInstance = "kcnaprep.dev/instance"
	// LabelLab holds the lab id.
	LabelLab = "kcnaprep.dev/lab"
	// LabelSystem marks objects in a lab namespace that a reset keeps (the learner's access).
	LabelSystem = "kcnaprep.dev/system"
	// LabelProbe marks pods that checks start to probe the network.
	LabelProbe = "kcnaprep.dev/probe"
	// FieldManager is the server-side apply field manager of lab set-ups.
	FieldManager = "kcnaprep"
)

// Client talks to one cluster.
type Client struct {
	Config  *rest.Config
	Dynamic dynamic.Interface
	Typed   kubernetes.Interface
	Mapper  meta.ResettableRESTMapper
}

// New returns a Client for cfg. Client-side rate limits are raised: a grader lists and probes in
// bursts, and the default of 5 requests per second would make it crawl.
func New(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 100, 200
	cfg.WarningHandler = rest.NoWarnings{} // deprecation and Pod Security warnings are the learner's to see, not our log's
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	return &Client{Config: cfg, Dynamic: dyn, Typed: typed, Mapper: mapper}, nil
}

// ConfigFromKubeconfig parses a kubeconfig (its current context).
func ConfigFromKubeconfig(data []byte) (*rest.Config, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("parse kubeconfig: %w", err)
	}
	return cfg, nil
}

// Resource returns the dynamic client for objects of gvk, scoped to namespace when the kind is
// namespaced, and whether it is.
func (c *Client) Resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, bool, error) {
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, false, fmt.Errorf("kind %s: %w", gvk.Kind, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.Dynamic.Resource(m.Resource).Namespace(namespace), true, nil
	}
	return c.Dynamic.Resource(m.Resource), false, nil
}

// ResourceScope reports whether group/resource (a plural, e.g. "pods" or "deployments" in
// "apps") is namespaced. Unknown resources count as namespaced.
func (c *Client) ResourceScope(group, resource string) bool {
	gvk, err := c.Mapper.KindFor(schema.GroupVersionResource{Group: group, Resource: resource})
	if err != nil {
		return true
	}
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return true
	}
	return m.Scope.Name() == meta.RESTScopeNameNamespace
}

// Transient reports whether err is an API error worth trying again: the API server or etcd
// timed out, was overloaded, or was briefly unreachable. On a busy host (a class starting labs
// at once, a loaded CI machine) etcd answers "request timed out" now and then; a lab set-up or
// reset must ride that out instead of failing the learner's session.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || apierrors.IsUnexpectedServerError(err) {
		return true
	}
	if net.IsConnectionReset(err) || net.IsConnectionRefused(err) || net.IsProbableEOF(err) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "etcdserver: request timed out") || strings.Contains(msg, "etcdserver: leader changed") ||
		strings.Contains(msg, "the server is currently unable to handle the request")
}

// transientBackoff spaces retries of a transient failure: about a minute in all.
var transientBackoff = wait.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 7, Cap: 15 * time.Second}

// RetryTransient runs fn, again after a pause while it fails with a Transient error, until
// ctx ends or the backoff runs out. fn must be safe to repeat (an apply, a delete, a get).
func RetryTransient(ctx context.Context, fn func() error) error {
	var last error
	err := wait.ExponentialBackoffWithContext(ctx, transientBackoff, func(ctx context.Context) (bool, error) {
		last = fn()
		if Transient(last) {
			return false, nil
		}
		return true, last
	})
	if wait.Interrupted(err) && last != nil {
		return last
	}
	return err
}

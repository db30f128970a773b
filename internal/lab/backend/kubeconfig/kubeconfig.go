// Package kubeconfig is the lab backend for an existing cluster reached with an admin
// kubeconfig, e.g. a classroom cluster, or, from a Pod, with the Pod's own ServiceAccount
// (NewInCluster: the Helm chart's "incluster" backend, same code, same isolation). Each session gets a namespace of its own, enforcing the
// baseline Pod Security Standard, bounded by a ResourceQuota and a LimitRange and closed to
// other learners' Pods by a NetworkPolicy (guardrails.go), and the learner gets a kubeconfig
// for a ServiceAccount that may do anything inside that namespace and nothing outside it:
// never the admin kubeconfig. The shared kind cluster of --lab-isolation namespace is this
// backend too (package shared), so both have the same guard rails from the same code.
// Cluster labs are refused (they need a cluster of their own).
//
// The lab image (kcnaprep.local/labapp) must be available to the cluster's nodes: see
// labs/README.md ("Existing clusters").
package kubeconfig

import (
	"context"
	"fmt"
	"maps"
	"os"
	"sync"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// LearnerName names the learner's ServiceAccount, Role, RoleBinding and token Secret.
const LearnerName = "kcnaprep-learner"

// Backend runs labs in namespaces of an existing cluster.
//
// Besides its namespace, a learner may read nodes and storage classes (ClusterReadName), which
// lab texts tell them to look at.
type Backend struct {
	name      string // "kubeconfig" or "incluster"
	instance  string
	cluster   string // a name for the cluster, from the kubeconfig's current context
	client    *kube.Client
	apiServer string // the API server URL written into learners' kubeconfigs; "" for the client's

	mu        sync.Mutex
	protected bool // the guard policy is in place (guardrails.go)
}

// Option configures a Backend.
type Option func(*Backend)

// WithAPIServer writes url, instead of the address the server itself uses, into learners'
// kubeconfigs: in a Pod that address is the cluster-internal Service (https://10.96.0.1),
// which a learner's laptop cannot reach. The API server's certificate must be valid for url.
func WithAPIServer(url string) Option { return func(b *Backend) { b.apiServer = url } }

// New reads the admin kubeconfig at path. instance is the installation id.
func New(instance, path string, opts ...Option) (*Backend, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lab kubeconfig: %w", err)
	}
	return NewFromBytes(instance, data, opts...)
}

// NewFromBytes is New with the kubeconfig's content.
func NewFromBytes(instance string, kubeconfig []byte, opts ...Option) (*Backend, error) {
	raw, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("lab kubeconfig: %w", err)
	}
	name := "existing"
	if ctx := raw.Contexts[raw.CurrentContext]; ctx != nil && ctx.Cluster != "" {
		name = ctx.Cluster
	}
	cfg, err := kube.ConfigFromKubeconfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	return newBackend("kubeconfig", instance, name, cfg, opts)
}

// InClusterName is the cluster name of sessions run by NewInCluster.
const InClusterName = "in-cluster"

// NewInCluster runs labs in namespaces of the cluster the server runs in, through its Pod's
// ServiceAccount (rest.InClusterConfig). The ServiceAccount needs the ClusterRole of the Helm
// chart (deploy/helm/kcnaprep/templates/rbac.yaml).
func NewInCluster(instance string, opts ...Option) (*Backend, error) {
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("lab backend incluster (the server must run in a Pod): %w", err)
	}
	return newBackend("incluster", instance, InClusterName, cfg, opts)
}

func newBackend(kind, instance, cluster string, cfg *rest.Config, opts []Option) (*Backend, error) {
	client, err := kube.New(cfg)
	if err != nil {
		return nil, err
	}
	b := &Backend{name: kind, instance: instance, cluster: cluster, client: client}
	for _, o := range opts {
		o(b)
	}
	return b, nil
}

// Name implements backend.Backend: "kubeconfig" or "incluster".
func (b *Backend) Name() string { return b.name }

// Plan implements backend.Backend.
func (b *Backend) Plan(req backend.Request) (backend.Ref, error) {
	if req.Scope == domain.LabScopeCluster {
		return backend.Ref{}, domain.Errorf(domain.EINVALID,
			"This lab changes cluster-wide settings, so it needs a cluster of its own; this server runs labs in a shared cluster.")
	}
	ns := "kcnaprep-" + b.instance + "-" + req.Owner + "-" + req.Lab
	if len(ns) > 63 {
		return backend.Ref{}, fmt.Errorf("namespace name %s is too long", ns)
	}
	return backend.Ref{Cluster: b.cluster, Namespace: ns}, nil
}

// Provision implements backend.Backend.
func (b *Backend) Provision(ctx context.Context, req backend.Request, progress backend.Progress) (*backend.Env, error) {
	ref, err := b.Plan(req)
	if err != nil {
		return nil, err
	}
	progress("Check the cluster")
	// Only that the API server answers: a classroom cluster with one node down still runs labs.
	if _, err := b.client.Typed.Discovery().ServerVersion(); err != nil {
		return nil, fmt.Errorf("the lab cluster's API server does not answer: %w", err)
	}
	return b.makeNamespace(ctx, ref, map[string]string{kube.LabelManaged: "true", kube.LabelInstance: b.instance,
		kube.LabelSession: req.Session, kube.LabelLab: req.Lab}, progress)
}

// makeNamespace creates namespace ref with labels and our Pod Security labels, gives the
// learner access to it (with the guard rails), and returns its Env: one path for a learner's
// namespace and a pooled one.
func (b *Backend) makeNamespace(ctx context.Context, ref backend.Ref, labels map[string]string, progress backend.Progress) (*backend.Env, error) {
	progress("Create namespace " + ref.Namespace)
	// The learner may create pods: no privileged pods, host paths or host networking.
	maps.Copy(labels, PodSecurityLabels())
	if err := b.client.EnsureNamespace(ctx, ref.Namespace, labels); err != nil {
		return nil, err
	}
	progress("Create the learner's access to the namespace")
	if err := b.grant(ctx, ref.Namespace); err != nil {
		return nil, err
	}
	return b.env(ctx, ref)
}

// grant creates the learner's ServiceAccount, a Role over the namespace's resources, its
// RoleBinding and a token Secret, all labelled LabelSystem so a reset keeps them.
func (b *Backend) grant(ctx context.Context, ns string) error {
	rules, err := learnerRules(b.client)
	if err != nil {
		return err
	}
	if rules, err = b.grantable(ctx, ns, rules); err != nil {
		return err
	}
	meta := metav1.ObjectMeta{Name: LearnerName, Labels: map[string]string{kube.LabelSystem: "true"}}
	core := b.client.Typed.CoreV1()
	rbac := b.client.Typed.RbacV1()
	create := func(what string, err error) error {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %s in %s: %w", what, ns, err)
		}
		return nil
	}
	_, err = core.ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta}, metav1.CreateOptions{})
	if err := create("ServiceAccount", err); err != nil {
		return err
	}
	role := &rbacv1.Role{ObjectMeta: meta, Rules: rules}
	_, err = rbac.Roles(ns).Create(ctx, role, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = rbac.Roles(ns).Update(ctx, role, metav1.UpdateOptions{}) // the learner may have changed it
	}
	if err := create("Role", err); err != nil {
		return err
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: meta,
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: LearnerName},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: LearnerName, Namespace: ns}}}
	_, err = rbac.RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{})
	if err := create("RoleBinding", err); err != nil {
		return err
	}
	sec := &corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeServiceAccountToken}
	sec.Annotations = map[string]string{corev1.ServiceAccountNameKey: LearnerName}
	_, err = core.Secrets(ns).Create(ctx, sec, metav1.CreateOptions{})
	if err := create("token Secret", err); err != nil {
		return err
	}
	if err := b.grantClusterRead(ctx, ns); err != nil {
		return err
	}
	if err := limit(ctx, b.client, ns); err != nil {
		return err
	}
	if err := b.protect(ctx); err != nil {
		return err
	}
	return isolate(ctx, b.client, ns)
}

// ClusterReadName names the ClusterRole that lets learners read what the labs tell them to read
// outside their namespace: nodes (kubectl get nodes, kubectl describe node) and storage classes
// (kubectl get storageclass). Read only, and nothing namespaced: other learners' namespaces stay
// out of reach.
const ClusterReadName = "kcnaprep-learner-cluster-read"

var clusterReadRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"storage.k8s.io"}, Resources: []string{"storageclasses"}, Verbs: []string{"get", "list", "watch"}},
}

// grantClusterRead binds ClusterReadName to the learner's ServiceAccount with a
// ClusterRoleBinding owned by the namespace, so the garbage collector deletes it with the
// namespace.
func (b *Backend) grantClusterRead(ctx context.Context, ns string) error {
	rbac := b.client.Typed.RbacV1()
	labels := map[string]string{kube.LabelManaged: "true", kube.LabelInstance: b.instance}
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: ClusterReadName, Labels: labels}, Rules: clusterReadRules}
	_, err := rbac.ClusterRoles().Create(ctx, cr, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		var cur *rbacv1.ClusterRole
		if cur, err = rbac.ClusterRoles().Get(ctx, ClusterReadName, metav1.GetOptions{}); err == nil {
			cur.Rules = clusterReadRules
			_, err = rbac.ClusterRoles().Update(ctx, cur, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		return fmt.Errorf("ClusterRole %s: %w", ClusterReadName, err)
	}
	nsObj, err := b.client.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read namespace %s: %w", ns, err)
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: LearnerName + "-" + ns, Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Namespace", Name: ns, UID: nsObj.UID}}},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: ClusterReadName},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: LearnerName, Namespace: ns}},
	}
	_, err = rbac.ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("ClusterRoleBinding for %s: %w", ns, err)
	}
	return nil
}

// env builds the environment, waiting for the token controller to fill the learner's token.
func (b *Backend) env(ctx context.Context, ref backend.Ref) (*backend.Env, error) {
	var token []byte
	err := wait.PollUntilContextTimeout(ctx, 300*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		s, err := b.client.Typed.CoreV1().Secrets(ref.Namespace).Get(ctx, LearnerName, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		token = s.Data[corev1.ServiceAccountTokenKey]
		return len(token) > 0, nil
	})
	if err != nil {
		return nil, fmt.Errorf("learner token in %s: %w", ref.Namespace, err)
	}
	cfg := b.client.Config
	if b.apiServer != "" {
		cfg = rest.CopyConfig(cfg)
		cfg.Host = b.apiServer
	}
	kc, err := kube.TokenKubeconfig(cfg, "kcnaprep-"+ref.Namespace, string(token), ref.Namespace)
	if err != nil {
		return nil, err
	}
	return &backend.Env{Ref: ref, Client: b.client, Kubeconfig: kc, LearnerAccount: LearnerName}, nil
}

// Attach implements backend.Backend.
func (b *Backend) Attach(ctx context.Context, req backend.Request, ref backend.Ref) (*backend.Env, error) {
	_, err := b.client.Typed.CoreV1().Namespaces().Get(ctx, ref.Namespace, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w: namespace %s", backend.ErrGone, ref.Namespace)
	}
	if err != nil {
		return nil, fmt.Errorf("read namespace %s: %w", ref.Namespace, err)
	}
	if err := b.grant(ctx, ref.Namespace); err != nil { // restores access the learner deleted
		return nil, err
	}
	return b.env(ctx, ref)
}

// Reset implements backend.Backend: everything in the namespace but the learner's access goes.
func (b *Backend) Reset(ctx context.Context, req backend.Request, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	if _, err := b.Attach(ctx, req, ref); err != nil {
		return nil, err
	}
	progress("Delete everything in namespace " + ref.Namespace)
	if err := b.client.WipeNamespace(ctx, ref.Namespace, 2*time.Minute); err != nil {
		return nil, err
	}
	return b.Attach(ctx, req, ref)
}

// Release implements backend.Backend.
func (b *Backend) Release(ctx context.Context, req backend.Request, ref backend.Ref) error {
	if ref.Namespace == "" {
		return nil
	}
	return b.client.DeleteNamespace(ctx, ref.Namespace)
}

// Inventory implements backend.Backend: the namespaces labelled with this installation's id.
func (b *Backend) Inventory(ctx context.Context) ([]backend.Found, error) {
	nss, err := b.client.Typed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: kube.LabelInstance + "=" + b.instance})
	if err != nil {
		return nil, fmt.Errorf("list lab namespaces: %w", err)
	}
	var out []backend.Found
	for _, ns := range nss.Items {
		if ns.DeletionTimestamp == nil {
			out = append(out, backend.Found{Ref: backend.Ref{Cluster: b.cluster, Namespace: ns.Name}, Session: ns.Labels[kube.LabelSession]})
		}
	}
	return out, nil
}

package toolbox

import (
	"context"
	"fmt"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// PodName names the toolbox Pod in a lab namespace (one per session: a namespace is a session).
const PodName = "kcnaprep-toolbox"

// AdminAccount names the ServiceAccount the toolbox runs as when the learner is the cluster's
// administrator (a kind cluster of their own): it is bound to cluster-admin, which is what their
// kubeconfig holds anyway.
const AdminAccount = "kcnaprep-learner"

// Identity is whom the toolbox runs as: a ServiceAccount in the lab namespace holding exactly
// the learner's rights.
type Identity struct {
	ServiceAccount string
	// ClusterAdmin: the learner's kubeconfig is the cluster's admin (a kind cluster of their
	// own), so the ServiceAccount is created and bound to cluster-admin. Otherwise the backend
	// has created the ServiceAccount with the learner's limited rights, and it must exist.
	ClusterAdmin bool
}

// Ensure makes sure the toolbox Pod runs in ns as id, creating it (and, for a cluster admin,
// its ServiceAccount and binding) when missing, and waits until it runs. A Pod that ended or
// runs another image is replaced.
func Ensure(ctx context.Context, c *kube.Client, ns, image string, id Identity) (*corev1.Pod, error) {
	pods := c.Typed.CoreV1().Pods(ns)
	pod, err := pods.Get(ctx, PodName, metav1.GetOptions{})
	switch {
	case err == nil && pod.DeletionTimestamp == nil && pod.Spec.Containers[0].Image == image &&
		pod.Status.Phase != corev1.PodFailed && pod.Status.Phase != corev1.PodSucceeded && !pullStuck(pod):
		return waitRunning(ctx, c, ns)
	case err == nil:
		zero := int64(0)
		if err := pods.Delete(ctx, PodName, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil && !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("replace toolbox pod: %w", err)
		}
		if err := wait.PollUntilContextTimeout(ctx, 300*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			_, err := pods.Get(ctx, PodName, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		}); err != nil {
			return nil, fmt.Errorf("old toolbox pod did not go: %w", err)
		}
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("read toolbox pod: %w", err)
	}
	if id.ClusterAdmin {
		if err := ensureAdmin(ctx, c, ns, id.ServiceAccount); err != nil {
			return nil, err
		}
	} else if _, err := c.Typed.CoreV1().ServiceAccounts(ns).Get(ctx, id.ServiceAccount, metav1.GetOptions{}); err != nil {
		return nil, fmt.Errorf("the learner's ServiceAccount %s in %s: %w", id.ServiceAccount, ns, err)
	}
	if _, err := pods.Create(ctx, Pod(image, id.ServiceAccount), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("create toolbox pod in %s: %w", ns, err)
	}
	return waitRunning(ctx, c, ns)
}

// pullStuck says the Pod waits for an image its node could not get (loaded since, perhaps).
func pullStuck(p *corev1.Pod) bool {
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && (w.Reason == "ErrImagePull" || w.Reason == "ImagePullBackOff") {
			return true
		}
	}
	return false
}

func waitRunning(ctx context.Context, c *kube.Client, ns string) (*corev1.Pod, error) {
	var pod *corev1.Pod
	var why string
	var fatal error
	err := wait.PollUntilContextTimeout(ctx, 300*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := c.Typed.CoreV1().Pods(ns).Get(ctx, PodName, metav1.GetOptions{})
		if err != nil {
			why = err.Error()
			return false, nil // transient API errors under load: retry
		}
		pod = p
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			return false, fmt.Errorf("toolbox pod %s", p.Status.Phase)
		}
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil {
				why = w.Reason + ": " + w.Message
				if w.Reason == "ErrImagePull" || w.Reason == "ImagePullBackOff" || w.Reason == "ErrImageNeverPull" {
					fatal = fmt.Errorf("the cluster's nodes cannot get the toolbox image %s (push it with: server lab images push REGISTRY): %s",
						cs.Image, w.Message)
					return false, fatal
				}
			}
			if cs.State.Running != nil {
				return true, nil
			}
		}
		if why == "" {
			why = string(p.Status.Phase)
		}
		return false, nil
	})
	if fatal != nil {
		return nil, fatal
	}
	if err != nil {
		return nil, fmt.Errorf("toolbox pod in %s not running (%s): %w", ns, why, err)
	}
	return pod, nil
}

// ensureAdmin creates the admin learner's ServiceAccount and its cluster-admin binding, owned by
// the namespace so the binding goes with it.
func ensureAdmin(ctx context.Context, c *kube.Client, ns, sa string) error {
	labels := map[string]string{kube.LabelSystem: "true"}
	_, err := c.Typed.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{
		ObjectMeta: metav1.ObjectMeta{Name: sa, Labels: labels}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create toolbox ServiceAccount in %s: %w", ns, err)
	}
	nsObj, err := c.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read namespace %s: %w", ns, err)
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kcnaprep-toolbox-" + ns, Labels: map[string]string{kube.LabelManaged: "true"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Namespace", Name: ns, UID: nsObj.UID}}},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
	}
	if _, err := c.Typed.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("bind the toolbox to cluster-admin: %w", err)
	}
	return nil
}

// Pod is the toolbox Pod: the restricted Pod Security profile (non-root, no privilege
// escalation, no capabilities, the runtime's seccomp profile), the learner's home and /tmp on
// emptyDirs, labelled as part of the lab's system so a reset keeps it (and the learner's files).
func Pod(image, serviceAccount string) *corev1.Pod {
	yes, no := true, false
	uid := int64(UID)
	grace := int64(1)
	env := []corev1.EnvVar{}
	for _, kv := range Env() {
		for i := range kv {
			if kv[i] == '=' {
				env = append(env, corev1.EnvVar{Name: kv[:i], Value: kv[i+1:]})
				break
			}
		}
	}
	small := resource.MustParse("64Mi")
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: PodName, Labels: map[string]string{kube.LabelSystem: "true",
			"app.kubernetes.io/name": "kcnaprep-toolbox"}},
		Spec: corev1.PodSpec{
			ServiceAccountName:            serviceAccount,
			AutomountServiceAccountToken:  &yes,
			TerminationGracePeriodSeconds: &grace,
			EnableServiceLinks:            &no,
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name: "shell", Image: image, ImagePullPolicy: corev1.PullIfNotPresent, Env: env, WorkingDir: Home,
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("32Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
				},
				VolumeMounts: []corev1.VolumeMount{{Name: "home", MountPath: Home}, {Name: "tmp", MountPath: "/tmp"}},
			}},
			Volumes: []corev1.Volume{
				{Name: "home", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &small}}},
				{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &small}}},
			},
		},
	}
}

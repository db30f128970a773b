package kubeconfig

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kcnaprep/kcnaprep/internal/lab/backend"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"k8s.io/apimachinery/pkg/types"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The warm pool's namespaces (namespace isolation): a pooled namespace is made exactly as
// Provision makes a session's (Pod Security, the learner's ServiceAccount, Role, token and
// cluster read, the NetworkPolicy) but belongs to no session yet; a claim labels it with the
// session and lab. Its name stays the pool's: the session records it.

// PrepareNamespace creates the pooled namespace ref with its guard rails and the learner's
// access, and waits for the learner's token.
func (b *Backend) PrepareNamespace(ctx context.Context, ref backend.Ref, progress backend.Progress) (*backend.Env, error) {
	return b.makeNamespace(ctx, ref, map[string]string{kube.LabelManaged: "true", kube.LabelInstance: b.instance}, progress)
}

// ClaimNamespace gives the prepared namespace ref to the request's session (its labels, which
// Inventory reports) and returns its environment.
func (b *Backend) ClaimNamespace(ctx context.Context, req backend.Request, ref backend.Ref) (*backend.Env, error) {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{
		kube.LabelSession: req.Session, kube.LabelLab: req.Lab}}})
	if err != nil {
		return nil, err
	}
	err = kube.RetryTransient(ctx, func() error {
		_, err := b.client.Typed.CoreV1().Namespaces().Patch(ctx, ref.Namespace, types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim namespace %s: %w", ref.Namespace, err)
	}
	return b.env(ctx, ref)
}

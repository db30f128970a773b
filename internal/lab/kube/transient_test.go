package kube

import (
	"context"
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestTransient(t *testing.T) {
	pods := schema.GroupResource{Resource: "pods"}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{apierrors.NewInternalError(errors.New("etcdserver: request timed out")), true},
		{fmt.Errorf("delete pods x: %w", apierrors.NewServerTimeout(pods, "delete", 2)), true},
		{apierrors.NewTooManyRequests("slow down", 1), true},
		{apierrors.NewServiceUnavailable("starting"), true},
		{errors.New("etcdserver: leader changed"), true},
		{apierrors.NewNotFound(pods, "x"), false},
		{apierrors.NewForbidden(pods, "x", errors.New("no")), false},
		{apierrors.NewBadRequest("bad manifest"), false},
		{errors.New("line 3: not YAML"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRetryTransient(t *testing.T) {
	calls := 0
	err := RetryTransient(context.Background(), func() error {
		calls++
		if calls < 3 {
			return apierrors.NewInternalError(errors.New("etcdserver: request timed out"))
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("RetryTransient: %v after %d calls, want success on the third", err, calls)
	}
	calls = 0
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "x", errors.New("no"))
	if err := RetryTransient(context.Background(), func() error { calls++; return forbidden }); !apierrors.IsForbidden(err) || calls != 1 {
		t.Errorf("a lasting error: %v after %d calls, want it returned at once", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	busy := apierrors.NewServiceUnavailable("busy")
	if err := RetryTransient(ctx, func() error { return busy }); err == nil {
		t.Error("a cancelled context still reports success")
	}
}

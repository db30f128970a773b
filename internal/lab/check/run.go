package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"google.golang.org/protobuf/types/known/structpb"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Cluster is what checks run against: a client with rights to read everything the lab touches
// (the backend's admin access, never the learner's) and the lab's namespace.
type Cluster struct {
	Client     *kube.Client
	Namespace  string
	ProbeImage string // image of connect probe pods (labapp)
}

// Outcome is the result of one check.
type Outcome struct {
	Passed bool
	Detail string // what was seen, when it failed
}

// pollInterval is the time between attempts of a polling check.
const pollInterval = time.Second

// Run evaluates the check and returns the outcome. A failing check polls again (every
// pollInterval, up to its timeout) only while the lab's namespace is still converging: once
// nothing is changing, another poll cannot change the answer, so it fails at once. ctx bounds
// it too.
func (c *Check) Run(ctx context.Context, cl *Cluster) Outcome {
	return c.run(ctx, cl, newSettler(cl))
}

func (c *Check) run(ctx context.Context, cl *Cluster, st *settler) Outcome {
	if c.Kind == KindConnect {
		return c.connect(ctx, cl, st) // the probe pod retries by itself
	}
	deadline := time.Now().Add(c.timeout)
	for {
		out := c.once(ctx, cl)
		if out.Passed || ctx.Err() != nil || time.Now().Add(pollInterval).After(deadline) {
			return out
		}
		if st.converging(ctx) == "" {
			return out
		}
		select {
		case <-ctx.Done():
			return out
		case <-time.After(pollInterval):
		}
	}
}

func (c *Check) once(ctx context.Context, cl *Cluster) Outcome {
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	vars := map[string]any{"labNamespace": cl.Namespace}
	for _, name := range c.withVars {
		items, err := list(actx, cl, c.With[name])
		if err != nil {
			return Outcome{Detail: err.Error()}
		}
		vars[name] = items
	}
	switch c.Kind {
	case KindObject:
		t := c.Object
		ri, _, err := cl.Client.Resource(gvk(*t), namespaceOf(*t, cl))
		if err != nil {
			return Outcome{Detail: err.Error()}
		}
		obj, err := ri.Get(actx, t.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return Outcome{Detail: fmt.Sprintf("%s %s not found", t.Kind, t.Name)}
		}
		if err != nil {
			return Outcome{Detail: fmt.Sprintf("read %s %s: %v", t.Kind, t.Name, err)}
		}
		vars["object"] = obj.Object
	case KindList:
		items, err := list(actx, cl, *c.List)
		if err != nil {
			return Outcome{Detail: err.Error()}
		}
		vars["objects"] = items
	case KindHTTP:
		resp, err := httpGet(actx, cl, c.HTTP)
		if err != nil {
			return Outcome{Detail: err.Error()}
		}
		vars["response"] = resp
	case KindAccess:
		return c.access(actx, cl)
	case KindTraffic:
		return c.traffic(actx, cl)
	}
	return c.eval(actx, vars)
}

func gvk(t Target) schema.GroupVersionKind {
	gv, _ := schema.ParseGroupVersion(t.APIVersion)
	return gv.WithKind(t.Kind)
}

func namespaceOf(t Target, cl *Cluster) string {
	if t.Namespace != "" {
		return t.Namespace
	}
	return cl.Namespace
}

// list returns the target's objects as plain maps for CEL, leaving out our probe pods.
func list(ctx context.Context, cl *Cluster, t Target) ([]any, error) {
	ri, _, err := cl.Client.Resource(gvk(t), namespaceOf(t, cl))
	if err != nil {
		return nil, err
	}
	l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: t.Selector})
	if err != nil {
		return nil, fmt.Errorf("list %s: %v", t.Kind, err)
	}
	items := make([]any, 0, len(l.Items))
	for _, o := range l.Items {
		if o.GetLabels()[kube.LabelProbe] == "true" {
			continue
		}
		items = append(items, o.Object)
	}
	return items, nil
}

func (c *Check) eval(ctx context.Context, vars map[string]any) Outcome {
	val, _, err := c.expect.ContextEval(ctx, vars)
	if err != nil {
		return Outcome{Detail: explainEvalError(err)}
	}
	if b, ok := val.(types.Bool); ok && bool(b) {
		return Outcome{Passed: true}
	}
	if _, ok := val.(types.Bool); !ok {
		return Outcome{Detail: fmt.Sprintf("the check's expression gave %s, not true or false", val.Type())}
	}
	if c.observed == nil {
		return Outcome{}
	}
	obs, _, err := c.observed.ContextEval(ctx, vars)
	if err != nil {
		return Outcome{Detail: "observed: " + explainEvalError(err)}
	}
	return Outcome{Detail: "observed: " + formatValue(obs)}
}

// explainEvalError turns CEL's "no such key: readyReplicas" into words a learner can use.
func explainEvalError(err error) string {
	msg := err.Error()
	if k, ok := strings.CutPrefix(msg, "no such key: "); ok {
		return fmt.Sprintf("field %q is not set", k)
	}
	return msg
}

var structValueType = reflect.TypeFor[*structpb.Value]()

// formatValue renders a CEL value as JSON with a space after commas and colons, keys sorted
// ("2", "\"1.0\"", "[\"a\", \"b\"]", "{\"ready\": 2}"): stable, so learners and tests can
// compare what they see.
func formatValue(v ref.Val) string {
	native, err := v.ConvertToNative(structValueType)
	if err != nil {
		return fmt.Sprint(v.Value())
	}
	var b strings.Builder
	writeJSON(&b, native.(*structpb.Value).AsInterface())
	return b.String()
}

func writeJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, k)
			b.WriteString(": ")
			writeJSON(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // "a -> b", not "a -\u003e b"
		_ = enc.Encode(x)
		b.Write(bytes.TrimRight(buf.Bytes(), "\n"))
	}
}

// TaskChecks are one task's compiled checks, in order.
type TaskChecks struct {
	ID, Title string
	Checks    []*Check
}

// maxParallel bounds the checks that run at once against one cluster.
const maxParallel = 4

// Grade runs every check of every task, at most maxParallel at a time, and reports each one.
func Grade(ctx context.Context, cl *Cluster, tasks []TaskChecks) domain.LabReport {
	start := time.Now()
	rep := domain.LabReport{Tasks: make([]domain.LabTaskResult, len(tasks))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	st := newSettler(cl)
	for i, t := range tasks {
		rep.Tasks[i] = domain.LabTaskResult{ID: t.ID, Title: t.Title, Checks: make([]domain.LabCheckResult, len(t.Checks))}
		for j, c := range t.Checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				out := c.run(ctx, cl, st)
				rep.Tasks[i].Checks[j] = domain.LabCheckResult{ID: c.ID, Message: c.Message, Passed: out.Passed, Detail: out.Detail}
			}()
		}
	}
	wg.Wait()
	rep.CheckedAt = time.Now()
	rep.Took = time.Since(start)
	return rep
}

// errNoCluster is returned when a probe cannot talk to the API server at all.
var errNoCluster = errors.New("the cluster's API server did not answer")

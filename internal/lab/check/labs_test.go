package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoCheck compiles a check of the repository's labs (labs/ID/lab.yaml, "task/check").
func repoCheck(t *testing.T, lab, ref string) *Check {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "labs", lab, "lab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tasks []struct {
			ID     string `yaml:"id"`
			Checks []Spec `yaml:"checks"`
		} `yaml:"tasks"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", lab, err)
	}
	task, id, _ := strings.Cut(ref, "/")
	for _, tk := range doc.Tasks {
		for _, s := range tk.Checks {
			if tk.ID == task && s.ID == id {
				return mustCompile(t, s)
			}
		}
	}
	t.Fatalf("%s has no check %s", lab, ref)
	return nil
}

func yamlObject(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return normalize(m).(map[string]any)
}

// normalize turns yaml's ints into int64, as the dynamic client's JSON does.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case int:
		return int64(x)
	}
	return v
}

// TestRepoChecksAcceptEquivalentForms: spellings that mean the same pass, near misses fail, and
// observed names the failing value, for checks of the repository's labs, on objects as the API
// server returns them.
func TestRepoChecksAcceptEquivalentForms(t *testing.T) {
	setupFields := "managedFields: [{manager: kcnaprep, operation: Apply}]"
	cases := []struct {
		lab, ref, object string
		pass             bool
		observed         string
	}{
		{"resource-quota", "quota/hard", `{spec: {hard: {pods: "10", cpu: "1", memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}}}`, true, ""},
		{"resource-quota", "quota/hard", `{spec: {hard: {count/pods: "10", requests.cpu: 1000m, requests.memory: 1024Mi, limits.cpu: "2", limits.memory: 2Gi}}}`, true, ""},
		{"resource-quota", "quota/hard", `{spec: {hard: {pods: "10", cpu: "1", requests.cpu: "2", memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}}}`, false, `"requests.cpu": "2"`},
		{"resource-quota", "quota/hard", `{spec: {hard: {pods: "10", limits.cpu: "2", limits.memory: 2Gi}}}`, false, ""},
		{"rolling-update", "strategy/limits", `{spec: {replicas: 3, strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}}}`, true, ""},
		{"rolling-update", "strategy/limits", `{spec: {replicas: 3, strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: "0%", maxSurge: "33%"}}}}`, true, ""},
		{"rolling-update", "strategy/limits", `{spec: {replicas: 3, strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 1}}}}`, false, `"maxUnavailable": 1`},
		{"rolling-update", "strategy/limits", `{spec: {replicas: 3, strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: "50%"}}}}`, false, `"maxSurge": "50%"`},
		{"security-context", "pod/locked-down", `{spec: {containers: [{securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]}}`, true, ""},
		{"security-context", "pod/locked-down", `{spec: {containers: [{securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}]}}`, false, "NET_BIND_SERVICE"},
		{"pvc-storage", "mount/mounted", `{spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: data}}], containers: [{volumeMounts: [{name: v, mountPath: /data/}]}]}, status: {phase: Running}}`, true, ""},
		{"pvc-storage", "mount/mounted", `{spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: data}}], containers: [{volumeMounts: [{name: v, mountPath: /date}]}]}, status: {phase: Running}}`, false, "data -> /date"},
		{"crashloop-fix", "fix/from-configmap", `{spec: {template: {spec: {containers: [{env: [{name: DATABASE_URL, valueFrom: {configMapKeyRef: {name: billing-config, key: DATABASE_URL}}}]}]}}}}`, true, ""},
		{"crashloop-fix", "fix/from-configmap", `{spec: {template: {spec: {containers: [{env: [{name: DATABASE_URL, valueFrom: {configMapKeyRef: {name: billing-config, key: LOG_LEVEL}}}]}]}}}}`, false, "key LOG_LEVEL"},
		{"crashloop-fix", "fix/from-configmap", `{spec: {template: {spec: {containers: [{envFrom: [{prefix: APP_, configMapRef: {name: billing-config}}]}]}}}}`, false, ""},
		{"crashloop-fix", "fix/running", `{metadata: {generation: 2, ` + setupFields + `}, spec: {replicas: 1}, status: {observedGeneration: 2, updatedReplicas: 1, readyReplicas: 1}}`, true, ""},
		{"crashloop-fix", "fix/running", `{metadata: {generation: 2, managedFields: [{manager: kubectl-create}]}, spec: {replicas: 1}, status: {observedGeneration: 2, updatedReplicas: 1, readyReplicas: 1}}`, false, "deleted and created again"},
		{"jobs-cronjobs", "cron/runs", `{spec: {jobTemplate: {spec: {template: {spec: {containers: [{image: "kcnaprep.local/labapp:1.0", command: [/labapp, sleep, 1s]}]}}}}}}`, true, ""},
		{"jobs-cronjobs", "cron/runs", `{spec: {suspend: true, jobTemplate: {spec: {template: {spec: {containers: [{image: "kcnaprep.local/labapp:1.0", args: [sleep, 1s]}]}}}}}}`, false, `"suspended": true`},
		{"jobs-cronjobs", "cron/schedule", `{spec: {schedule: "30 02 1-31 * 0-6", concurrencyPolicy: Forbid}}`, true, ""},
		{"daemonset", "agent/tolerates", `{spec: {template: {spec: {tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Equal, value: "x", effect: NoSchedule}]}}}}`, false, ""},
		{"daemonset", "agent/tolerates", `{spec: {template: {spec: {tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}}}}`, true, ""},
		{"hpa", "hpa/hpa", `{spec: {scaleTargetRef: {kind: Deployment, name: frontend}, minReplicas: 2, maxReplicas: 6, metrics: [{type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 60}}}]}}`, false, "memory 60%"},
	}
	for _, tc := range cases {
		t.Run(tc.lab+"/"+tc.ref, func(t *testing.T) {
			c := repoCheck(t, tc.lab, tc.ref)
			obj := yamlObject(t, tc.object)
			if _, ok := obj["metadata"]; !ok {
				obj["metadata"] = map[string]any{"name": "x"}
			}
			out := c.eval(context.Background(), map[string]any{"object": obj, "labNamespace": "lab"})
			if out.Passed != tc.pass || !strings.Contains(out.Detail, tc.observed) {
				t.Errorf("passed=%v %s, want passed=%v, observed containing %q", out.Passed, out.Detail, tc.pass, tc.observed)
			}
		})
	}
}

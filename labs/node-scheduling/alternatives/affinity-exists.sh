#!/usr/bin/env bash
# Alternative: the node found by name with a selector-free command, a required node affinity
# instead of a nodeSelector, and a toleration with operator Exists (any value of the key).
set -euo pipefail
node=$(kubectl get nodes -o name | head -1 | cut -d/ -f2)
kubectl label node "$node" kcnaprep.dev/disk=ssd
kubectl taint node "$node" kcnaprep.dev/maintenance=true:NoSchedule
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: fast-app
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - {key: kcnaprep.dev/disk, operator: In, values: [ssd]}
  tolerations:
    - {key: kcnaprep.dev/maintenance, operator: Exists}
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
YAML
kubectl wait --for=condition=Ready pod/fast-app --timeout=300s

#!/usr/bin/env bash
# Solution: label and taint the node, then a Pod with a nodeSelector and a toleration.
set -euo pipefail
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
kubectl label node "$node" kcnaprep.dev/disk=ssd
kubectl taint node "$node" kcnaprep.dev/maintenance=true:NoSchedule
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: fast-app
spec:
  nodeSelector:
    kcnaprep.dev/disk: ssd
  tolerations:
    - key: kcnaprep.dev/maintenance
      operator: Equal
      value: "true"
      effect: NoSchedule
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
YAML
kubectl wait --for=condition=Ready pod/fast-app --timeout=300s

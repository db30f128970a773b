#!/usr/bin/env bash
# Solution: a DaemonSet with a toleration for the control-plane taint.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      tolerations:
        - key: node-role.kubernetes.io/control-plane
          operator: Exists
          effect: NoSchedule
      containers:
        - name: agent
          image: kcnaprep.local/labapp:1.0
          resources:
            requests: {cpu: 10m, memory: 16Mi}
YAML
kubectl rollout status daemonset/node-agent --timeout=300s

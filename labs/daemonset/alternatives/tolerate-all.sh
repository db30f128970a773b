#!/usr/bin/env bash
# Alternative: a toleration with operator Exists and no key or effect tolerates every taint,
# the control-plane one included.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  labels: {app: node-agent}
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      tolerations:
        - operator: Exists
      containers:
        - name: node-agent
          image: kcnaprep.local/labapp:1.0
          imagePullPolicy: IfNotPresent
YAML
kubectl rollout status daemonset/node-agent --timeout=300s

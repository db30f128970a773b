#!/usr/bin/env bash
# Near miss: a typo in the label (app=node-agnet), on the selector and the Pods alike. The
# DaemonSet runs everywhere, but kubectl get pods -l app=node-agent (and any Service or policy
# using that label) finds nothing.
# fails: agent/labelled
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels: {app: node-agnet}
  template:
    metadata:
      labels: {app: node-agnet}
    spec:
      tolerations:
        - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      containers:
        - name: agent
          image: kcnaprep.local/labapp:1.0
YAML
kubectl rollout status daemonset/node-agent --timeout=300s

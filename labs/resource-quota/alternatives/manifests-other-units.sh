#!/usr/bin/env bash
# Alternative: quota and Deployment as YAML, with the same quantities in other units
# (1000m CPU, 1024Mi, 0.1 and 0.25 CPU).
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: ResourceQuota
metadata:
  name: team-quota
spec:
  hard:
    pods: "10"
    requests.cpu: 1000m
    requests.memory: 1024Mi
    limits.cpu: "2"
    limits.memory: 2048Mi
YAML
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 2
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: kcnaprep.local/labapp:1.0
          resources:
            requests:
              cpu: "0.1"
              memory: 64Mi
            limits:
              cpu: "0.25"
              memory: 128Mi
YAML
kubectl rollout status deployment worker --timeout=300s

#!/usr/bin/env bash
# Alternative: the Deployment written as YAML with replicas: 3, then applied.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: labapp
          image: kcnaprep.local/labapp:1.0
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8080
YAML
kubectl rollout status deployment web --timeout=300s

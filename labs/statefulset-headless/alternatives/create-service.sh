#!/usr/bin/env bash
# Alternative: the headless Service from kubectl create service (as the hint shows), and a
# StatefulSet without a readiness probe or named port.
set -euo pipefail
kubectl create service clusterip db --clusterip=None --tcp=8080:8080
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: db
          image: kcnaprep.local/labapp:1.0
          ports:
            - containerPort: 8080
YAML
kubectl rollout status statefulset/db --timeout=180s

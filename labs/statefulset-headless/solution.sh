#!/usr/bin/env bash
# Solution: a headless Service, then the StatefulSet naming it.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {app: db}
  ports:
    - {name: http, port: 8080, targetPort: 8080}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: db
          image: kcnaprep.local/labapp:1.0
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
            periodSeconds: 2
YAML
kubectl rollout status statefulset/db --timeout=180s

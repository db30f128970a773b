#!/usr/bin/env bash
# Near miss: an ordinary ClusterIP Service: the StatefulSet runs, but its Pods get no DNS
# names of their own.
# fails: service/headless sts/dns
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
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
YAML
kubectl rollout status statefulset/db --timeout=180s

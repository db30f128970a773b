#!/usr/bin/env bash
# Near miss: an ordinary ClusterIP Service. The StatefulSet runs (and CoreDNS even answers for
# db-1.db), but clients of "db" get one virtual IP instead of the Pods' own addresses, which is
# what peers of a clustered database need.
# fails: service/headless
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

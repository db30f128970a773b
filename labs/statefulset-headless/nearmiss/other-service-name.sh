#!/usr/bin/env bash
# Near miss: the StatefulSet names a governing Service db-headless that does not exist, so its
# Pods get no DNS names under db.
# fails: sts/ready sts/dns
set -euo pipefail
kubectl create service clusterip db --clusterip=None --tcp=8080:8080
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db-headless
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

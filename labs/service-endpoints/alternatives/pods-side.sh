#!/usr/bin/env bash
# Alternative: fix the Pods' side. A Deployment's selector cannot change, so the Deployment is
# recreated with app=catalog on its selector and Pods, which the Service already selects.
set -euo pipefail
kubectl delete deployment catalog
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: catalog
  labels: {app: catalog}
spec:
  replicas: 2
  selector:
    matchLabels: {app: catalog}
  template:
    metadata:
      labels: {app: catalog, tier: backend}
    spec:
      containers:
        - name: api
          image: kcnaprep.local/labapp:1.0
          env:
            - {name: MESSAGE, value: "catalog api"}
          ports:
            - {name: http, containerPort: 8080}
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
            periodSeconds: 2
YAML
kubectl rollout status deployment/catalog --timeout=300s

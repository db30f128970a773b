#!/usr/bin/env bash
# Alternative: the whole Deployment applied again from a manifest with the probes added, their
# scheme and timings written out.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: kcnaprep.local/labapp:1.0
          imagePullPolicy: IfNotPresent
          env:
            - {name: READY_AFTER, value: 5s}
          ports:
            - {name: http, containerPort: 8080}
          readinessProbe:
            httpGet: {path: /readyz, port: 8080, scheme: HTTP}
            periodSeconds: 2
            failureThreshold: 3
          livenessProbe:
            httpGet: {path: /healthz, port: 8080, scheme: HTTP}
            initialDelaySeconds: 10
            timeoutSeconds: 2
YAML
kubectl rollout status deployment api --timeout=300s

#!/usr/bin/env bash
# Near miss: both probes are there, but on each other's endpoints.
# fails: probes/readiness probes/liveness
set -euo pipefail
kubectl patch deployment api --type=strategic -p '
spec:
  template:
    spec:
      containers:
        - name: api
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          livenessProbe:
            httpGet: {path: /readyz, port: 8080}
            initialDelaySeconds: 10
'
kubectl rollout status deployment api --timeout=300s

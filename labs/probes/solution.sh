#!/usr/bin/env bash
# Solution: patch both probes into the Pod template and wait for the rollout.
set -euo pipefail
kubectl patch deployment api --type=strategic -p '
spec:
  template:
    spec:
      containers:
        - name: api
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
            periodSeconds: 2
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
            initialDelaySeconds: 10
            periodSeconds: 5
'
kubectl rollout status deployment api --timeout=300s

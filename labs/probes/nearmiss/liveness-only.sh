#!/usr/bin/env bash
# Near miss: only the liveness probe. Pods still get traffic while the app warms up.
# fails: probes/readiness probes/rolled-out
set -euo pipefail
kubectl patch deployment api --type=strategic -p '
spec:
  template:
    spec:
      containers:
        - name: api
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
            initialDelaySeconds: 10
'
kubectl rollout status deployment api --timeout=300s

#!/usr/bin/env bash
# Near miss: non-root at the Pod level, but the root file system stays writable and the
# capabilities are kept.
# fails: pod/locked-down pod/running
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hardened
spec:
  securityContext:
    runAsUser: 10001
    runAsNonRoot: true
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
      securityContext:
        allowPrivilegeEscalation: false
YAML
kubectl wait --for=condition=Ready pod/hardened --timeout=300s

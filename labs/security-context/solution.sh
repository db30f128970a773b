#!/usr/bin/env bash
# Solution: every hardening field at the container level, and /tmp as an emptyDir.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hardened
spec:
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
      securityContext:
        runAsUser: 10001
        runAsNonRoot: true
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
  volumes:
    - name: tmp
      emptyDir: {}
YAML
kubectl wait --for=condition=Ready pod/hardened --timeout=300s

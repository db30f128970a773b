#!/usr/bin/env bash
# Near miss: drop ALL, then add NET_BIND_SERVICE back "in case": the container does not drop all
# capabilities any more.
# fails: pod/locked-down
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
          add: [NET_BIND_SERVICE]
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
  volumes:
    - name: tmp
      emptyDir: {}
YAML
kubectl wait --for=condition=Ready pod/hardened --timeout=300s

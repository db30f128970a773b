#!/usr/bin/env bash
# Alternative: user, group and runAsNonRoot at the Pod level, the rest on the container, plus a
# RuntimeDefault seccomp profile (the restricted profile's full set), and /tmp/ written with a
# trailing slash (the same directory).
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hardened
spec:
  securityContext:
    runAsUser: 10001
    runAsGroup: 10001
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: hardened
      image: kcnaprep.local/labapp:1.0
      securityContext:
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: scratch
          mountPath: /tmp/
  volumes:
    - name: scratch
      emptyDir:
        sizeLimit: 64Mi
YAML
kubectl wait --for=condition=Ready pod/hardened --timeout=300s

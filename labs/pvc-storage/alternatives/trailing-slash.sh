#!/usr/bin/env bash
# Alternative: the claim's size in plain bytes (67108864 = 64Mi), and the mount path written
# with a trailing slash (/data/ is the same directory).
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: "67108864"
---
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  containers:
    - name: writer
      image: kcnaprep.local/labapp:1.0
      volumeMounts:
        - {name: data, mountPath: /data/}
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: data
YAML
kubectl wait --for=condition=Ready pod/writer --timeout=300s

#!/usr/bin/env bash
# Solution: a claim without a class (the default one), and a Pod mounting it.
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
      storage: 64Mi
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
        - {name: data, mountPath: /data}
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: data
YAML
kubectl wait --for=condition=Ready pod/writer --timeout=300s

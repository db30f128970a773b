#!/usr/bin/env bash
# Near miss: the claim is right, but the Pod mounts it at /date (a typo): the app's /data is an
# ordinary directory of the container, lost with it.
# fails: mount/mounted
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
        - {name: data, mountPath: /date}
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: data
YAML
kubectl wait --for=condition=Ready pod/writer --timeout=300s

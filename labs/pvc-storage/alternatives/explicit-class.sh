#!/usr/bin/env bash
# Alternative: the default class named explicitly (kind's default StorageClass is standard), the
# size written as 0.0625Gi (= 64Mi), and the volume under another name than the claim's.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: standard
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 0.0625Gi
YAML
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  containers:
    - name: writer
      image: kcnaprep.local/labapp:1.0
      volumeMounts:
        - name: storage
          mountPath: /data
  volumes:
    - name: storage
      persistentVolumeClaim:
        claimName: data
YAML
kubectl wait --for=condition=Ready pod/writer --timeout=300s

#!/usr/bin/env bash
# Alternative: ConfigMap and Secret written as YAML (the Secret with stringData), each variable
# taken with env[].valueFrom (configMapKeyRef and secretKeyRef), the volume as a projected one
# mounted at /config/ (a trailing slash: the same directory).
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  GREETING: hello-kcna
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
type: Opaque
stringData:
  API_TOKEN: s3cr3t-kcna
---
apiVersion: v1
kind: Pod
metadata:
  name: configured
spec:
  containers:
    - name: configured
      image: kcnaprep.local/labapp:1.0
      env:
        - name: GREETING
          valueFrom:
            configMapKeyRef: {name: app-config, key: GREETING}
        - name: API_TOKEN
          valueFrom:
            secretKeyRef: {name: app-secret, key: API_TOKEN}
      volumeMounts:
        - {name: cfg, mountPath: /config/}
  volumes:
    - name: cfg
      projected:
        sources:
          - configMap: {name: app-config}
YAML
kubectl wait --for=condition=Ready pod/configured --timeout=300s

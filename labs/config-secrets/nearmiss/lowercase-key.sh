#!/usr/bin/env bash
# Near miss: the ConfigMap's key is written greeting, not GREETING. Keys are case-sensitive:
# envFrom imports a variable named greeting, and the file is /config/greeting.
# fails: config/configmap pod/greeting pod/file
set -euo pipefail
kubectl create configmap app-config --from-literal=greeting=hello-kcna
kubectl create secret generic app-secret --from-literal=API_TOKEN=s3cr3t-kcna
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: configured
spec:
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
      envFrom:
        - configMapRef: {name: app-config}
        - secretRef: {name: app-secret}
      volumeMounts:
        - {name: config, mountPath: /config}
  volumes:
    - name: config
      configMap: {name: app-config}
YAML
kubectl wait --for=condition=Ready pod/configured --timeout=300s

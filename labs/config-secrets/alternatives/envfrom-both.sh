#!/usr/bin/env bash
# Alternative: the Secret written with base64 data, and envFrom importing both the ConfigMap and
# the Secret.
set -euo pipefail
kubectl create configmap app-config --from-literal=GREETING=hello-kcna
kubectl apply -f - <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
type: Opaque
data:
  API_TOKEN: $(printf %s s3cr3t-kcna | base64)
YAML
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: configured
  labels: {run: configured}
spec:
  containers:
    - name: configured
      image: kcnaprep.local/labapp:1.0
      envFrom:
        - configMapRef: {name: app-config}
        - secretRef: {name: app-secret}
      volumeMounts:
        - name: app-config
          mountPath: /config
  volumes:
    - name: app-config
      configMap:
        name: app-config
  restartPolicy: Always
YAML
kubectl wait --for=condition=Ready pod/configured --timeout=300s

#!/usr/bin/env bash
# Solution: ConfigMap and Secret from literals, then a Pod importing the ConfigMap with
# envFrom, one Secret key with secretKeyRef, and the ConfigMap as a volume.
set -euo pipefail
kubectl create configmap app-config --from-literal=GREETING=hello-kcna
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
      imagePullPolicy: IfNotPresent
      envFrom:
        - configMapRef: {name: app-config}
      env:
        - name: API_TOKEN
          valueFrom:
            secretKeyRef: {name: app-secret, key: API_TOKEN}
      volumeMounts:
        - {name: config, mountPath: /config, readOnly: true}
  volumes:
    - name: config
      configMap: {name: app-config}
YAML
kubectl wait --for=condition=Ready pod/configured --timeout=300s

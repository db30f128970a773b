#!/usr/bin/env bash
# Near miss: the Pod would not start (CreateContainerConfigError: the key greeting does not exist),
# so the reference was made optional. It starts now, with GREETING empty.
# fails: pod/env-source pod/greeting
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
      env:
        - name: GREETING
          valueFrom:
            configMapKeyRef: {name: app-config, key: greeting, optional: true}
        - name: API_TOKEN
          valueFrom:
            secretKeyRef: {name: app-secret, key: API_TOKEN}
      volumeMounts:
        - {name: config, mountPath: /config}
  volumes:
    - name: config
      configMap: {name: app-config}
YAML
kubectl wait --for=condition=Ready pod/configured --timeout=300s

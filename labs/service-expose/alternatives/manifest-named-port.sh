#!/usr/bin/env bash
# Alternative: the Service as YAML, its targetPort the container port's name (http).
set -euo pipefail
kubectl rollout status deployment shop --timeout=300s
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  type: ClusterIP
  selector:
    app: shop
  ports:
    - name: http
      protocol: TCP
      port: 80
      targetPort: http
YAML

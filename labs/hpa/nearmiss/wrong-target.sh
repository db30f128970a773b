#!/usr/bin/env bash
# Near miss: the HPA is called frontend but scales a Deployment front-end, which does not exist.
# fails: hpa/hpa
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: frontend
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: front-end}
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 60}
YAML

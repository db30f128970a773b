#!/usr/bin/env bash
# Alternative: the older autoscaling/v1 API, where the target is targetCPUUtilizationPercentage.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: frontend
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: frontend
  minReplicas: 2
  maxReplicas: 6
  targetCPUUtilizationPercentage: 60
YAML
kubectl describe hpa frontend

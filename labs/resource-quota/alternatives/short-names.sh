#!/usr/bin/env bash
# Alternative: the quota's requests written with their short names (cpu and memory mean
# requests.cpu and requests.memory), and the Deployment's resources set with a JSON patch.
set -euo pipefail
kubectl create quota team-quota --hard=pods=10,cpu=1,memory=1Gi,limits.cpu=2,limits.memory=2Gi
kubectl create deployment worker --image=kcnaprep.local/labapp:1.0 --replicas=2
kubectl patch deployment worker --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"250m","memory":"128Mi"}}}]'
kubectl rollout status deployment worker --timeout=300s

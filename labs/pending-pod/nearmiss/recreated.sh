#!/usr/bin/env bash
# Near miss: the Deployment is deleted and created again with a sensible request, where the task
# says to fix it.
# fails: fix/running
set -euo pipefail
kubectl delete deployment analytics --wait=true
kubectl create deployment analytics --image=kcnaprep.local/labapp:1.0
kubectl set resources deployment analytics --requests=memory=64Mi
kubectl rollout status deployment/analytics --timeout=300s

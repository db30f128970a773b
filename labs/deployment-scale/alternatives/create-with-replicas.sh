#!/usr/bin/env bash
# Alternative: ask for three replicas when creating the Deployment, no separate scale step.
set -euo pipefail
kubectl create deployment web --image=kcnaprep.local/labapp:1.0 --replicas=3
kubectl rollout status deployment web --timeout=300s

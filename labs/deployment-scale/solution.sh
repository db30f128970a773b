#!/usr/bin/env bash
# Solution: create the Deployment, scale it, wait for the rollout.
set -euo pipefail
kubectl create deployment web --image=kcnaprep.local/labapp:1.0
kubectl scale deployment web --replicas=3
kubectl rollout status deployment web --timeout=300s

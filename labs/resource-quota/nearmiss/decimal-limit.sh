#!/usr/bin/env bash
# Near miss: the quota is right, but the worker's memory limit is written 128M (megabytes, about
# 122Mi) instead of 128Mi.
# fails: worker/resources
set -euo pipefail
kubectl create quota team-quota --hard=pods=10,requests.cpu=1,requests.memory=1Gi,limits.cpu=2,limits.memory=2Gi
kubectl create deployment worker --image=kcnaprep.local/labapp:1.0 --replicas=2 --dry-run=client -o yaml |
  kubectl set resources --local -f - --requests=cpu=100m,memory=64Mi --limits=cpu=250m,memory=128M -o yaml |
  kubectl apply -f -
kubectl rollout status deployment worker --timeout=300s

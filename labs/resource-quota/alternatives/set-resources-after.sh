#!/usr/bin/env bash
# Alternative, as the hints go: the Deployment is created bare (the quota refuses its Pods), then
# kubectl set resources adds requests and limits, which rolls out Pods the quota accepts.
set -euo pipefail
kubectl create quota team-quota --hard=pods=10,requests.cpu=1,requests.memory=1Gi,limits.cpu=2,limits.memory=2Gi
kubectl create deployment worker --image=kcnaprep.local/labapp:1.0 --replicas=2
kubectl set resources deployment worker --requests=cpu=100m,memory=64Mi --limits=cpu=250m,memory=128Mi
kubectl rollout status deployment worker --timeout=300s

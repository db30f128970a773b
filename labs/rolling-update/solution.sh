#!/usr/bin/env bash
# Solution: tighten the strategy, roll out version 2, roll back to version 1.
set -euo pipefail
kubectl rollout status deployment/frontend --timeout=300s
kubectl patch deployment frontend -p '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}'
kubectl set env deployment/frontend APP_VERSION=2
kubectl rollout status deployment/frontend --timeout=300s
kubectl rollout undo deployment/frontend
kubectl rollout status deployment/frontend --timeout=300s
kubectl rollout history deployment/frontend

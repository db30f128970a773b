#!/usr/bin/env bash
# Near miss: maxSurge 2, where at most one extra Pod may run during a rollout.
# fails: strategy/limits
set -euo pipefail
kubectl rollout status deployment/frontend --timeout=300s
kubectl patch deployment frontend -p '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":2}}}}'
kubectl set env deployment/frontend APP_VERSION=2
kubectl rollout status deployment/frontend --timeout=300s
kubectl rollout undo deployment/frontend
kubectl rollout status deployment/frontend --timeout=300s

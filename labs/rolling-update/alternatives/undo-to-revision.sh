#!/usr/bin/env bash
# Alternative: a JSON patch for the strategy, a strategic patch for version 2, and the rollback
# to an explicit revision (1) read from the history.
set -euo pipefail
kubectl rollout status deployment/frontend --timeout=300s
kubectl patch deployment frontend --type=json -p '[{"op":"replace","path":"/spec/strategy/rollingUpdate","value":{"maxUnavailable":0,"maxSurge":1}}]'
kubectl patch deployment frontend -p '{"spec":{"template":{"spec":{"containers":[{"name":"frontend","env":[{"name":"APP_VERSION","value":"2"}]}]}}}}'
kubectl rollout status deployment/frontend --timeout=300s
kubectl rollout history deployment/frontend
kubectl rollout undo deployment/frontend --to-revision=1
kubectl rollout status deployment/frontend --timeout=300s

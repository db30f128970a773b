#!/usr/bin/env bash
# Near miss: strategy and version 2 done, but never rolled back.
# fails: rollback/rolled-back
set -euo pipefail
kubectl patch deployment frontend -p '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}'
kubectl set env deployment/frontend APP_VERSION=2
kubectl rollout status deployment/frontend --timeout=300s

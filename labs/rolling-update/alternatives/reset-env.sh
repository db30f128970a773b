#!/usr/bin/env bash
# Alternative: roll back by setting APP_VERSION back to 1: the template matches revision 1's
# ReplicaSet again, which the Deployment reuses as revision 3.
set -euo pipefail
kubectl rollout status deployment/frontend --timeout=300s
kubectl patch deployment frontend -p '{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"0%","maxSurge":1}}}}'
kubectl set env deployment/frontend APP_VERSION=2
kubectl rollout status deployment/frontend --timeout=300s
kubectl set env deployment/frontend APP_VERSION=1
kubectl rollout status deployment/frontend --timeout=300s
kubectl rollout history deployment/frontend

#!/usr/bin/env bash
# Solution: the code is in the logs, the missing label in the scheduler's event.
set -euo pipefail
kubectl rollout status deployment/payments --timeout=300s
sleep 3   # the app logs every 2 seconds
code=$(kubectl logs deploy/payments --tail=20 | grep -o 'PGW-[0-9]*' | tail -1)
kubectl describe pod reports | tail -5
key=$(kubectl get pod reports -o jsonpath='{.spec.nodeSelector}' | grep -o '"[^"]*":' | tr -d '":')
kubectl create configmap incident --from-literal=code="$code" --from-literal=missing-label="$key"
kubectl get configmap incident -o yaml

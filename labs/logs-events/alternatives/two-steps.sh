#!/usr/bin/env bash
# Alternative: the ConfigMap created with the code first (from a file, so with a trailing
# newline), then the label's key added with a merge patch, as the tasks are ordered.
set -euo pipefail
kubectl rollout status deployment/payments --timeout=300s
sleep 3   # the app logs every 2 seconds
kubectl logs deploy/payments --tail=20 | grep -o 'PGW-[0-9]*' | tail -1 > "$HOME/code"
kubectl create configmap incident --from-file=code="$HOME/code"
kubectl get events --field-selector involvedObject.name=reports,reason=FailedScheduling || true
kubectl patch configmap incident --type=merge -p '{"data":{"missing-label":"kcnaprep.dev/pool"}}'
kubectl get configmap incident -o yaml

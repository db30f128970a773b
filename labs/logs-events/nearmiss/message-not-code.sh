#!/usr/bin/env bash
# Near miss: the whole log line recorded instead of the code, and the key named missing_label
# rather than missing-label.
# fails: logs/code events/label-key
set -euo pipefail
kubectl rollout status deployment/payments --timeout=300s
sleep 3   # the app logs every 2 seconds
line=$(kubectl logs deploy/payments --tail=1)
kubectl create configmap incident --from-literal=code="$line" --from-literal=missing_label=kcnaprep.dev/pool

#!/usr/bin/env bash
# Alternative: import every key of the ConfigMap (DATABASE_URL and LOG_LEVEL), as the hint shows.
set -euo pipefail
kubectl logs deploy/billing --tail=5 || true
kubectl set env deployment/billing --from=configmap/billing-config
kubectl rollout status deployment/billing --timeout=300s

#!/usr/bin/env bash
# Solution: the logs say DATABASE_URL is not set; the ConfigMap has it.
set -euo pipefail
kubectl logs deploy/billing --tail=5 || true
kubectl set env deployment/billing --from=configmap/billing-config --keys=DATABASE_URL
kubectl rollout status deployment/billing --timeout=300s

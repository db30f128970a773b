#!/usr/bin/env bash
# Near miss: billing runs, but with the URL typed into the Deployment: the ConfigMap is ignored.
# fails: fix/from-configmap
set -euo pipefail
kubectl set env deployment/billing DATABASE_URL=postgres://billing-db:5432/billing
kubectl rollout status deployment/billing --timeout=300s

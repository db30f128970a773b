#!/usr/bin/env bash
# Alternative: delete the broken Service and let kubectl expose copy the Deployment's selector.
set -euo pipefail
kubectl delete service catalog
kubectl expose deployment catalog --port=80 --target-port=8080
kubectl rollout status deployment/catalog --timeout=300s

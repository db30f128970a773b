#!/usr/bin/env bash
# Alternative: add envFrom with the ConfigMap to the container by a JSON patch.
set -euo pipefail
kubectl patch deployment billing --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/envFrom","value":[{"configMapRef":{"name":"billing-config"}}]}]'
kubectl rollout status deployment/billing --timeout=300s

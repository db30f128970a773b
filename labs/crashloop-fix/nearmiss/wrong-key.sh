#!/usr/bin/env bash
# Near miss: DATABASE_URL is taken from the right ConfigMap but the wrong key (LOG_LEVEL). The
# app only checks that the variable is set, so it runs, with "info" as its database URL.
# fails: fix/from-configmap
set -euo pipefail
kubectl patch deployment billing --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"DATABASE_URL","valueFrom":{"configMapKeyRef":{"name":"billing-config","key":"LOG_LEVEL"}}}}]'
kubectl rollout status deployment/billing --timeout=300s

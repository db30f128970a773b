#!/usr/bin/env bash
# Near miss: the Deployment is deleted and created again from an edited copy (as
# kubectl replace --force does), where the task says to fix it in place.
# fails: fix/running
set -euo pipefail
kubectl get deployment billing -o yaml > "$HOME/billing.yaml"
kubectl delete deployment billing --wait=true
sed -e '/^  uid:/d' -e '/^  resourceVersion:/d' -e '/^  creationTimestamp:/d' -e '/^status:/,$d' "$HOME/billing.yaml" |
  kubectl create -f -
kubectl set env deployment/billing --from=configmap/billing-config --keys=DATABASE_URL
kubectl rollout status deployment/billing --timeout=300s

#!/usr/bin/env bash
# Near miss: one Pod relabelled by hand to app=catalog. The Service now finds that Pod only
# (and its ReplicaSet, no longer owning it, starts a replacement the Service does not select).
# fails: fix/endpoints
set -euo pipefail
kubectl rollout status deployment/catalog --timeout=300s
pod=$(kubectl get pods -l app=catalog-api -o jsonpath='{.items[0].metadata.name}')
kubectl label pod "$pod" app=catalog --overwrite
kubectl rollout status deployment/catalog --timeout=300s

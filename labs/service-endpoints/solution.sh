#!/usr/bin/env bash
# Solution: the Service selects app=catalog, the Pods are app=catalog-api. Fix the selector.
set -euo pipefail
kubectl get svc catalog -o jsonpath='{.spec.selector}'; echo
kubectl get pods --show-labels
kubectl set selector service catalog app=catalog-api
kubectl rollout status deployment/catalog --timeout=300s

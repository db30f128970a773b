#!/usr/bin/env bash
# Solution: the event says Insufficient memory: 500Gi was meant to be 500Mi, and 64Mi is plenty.
set -euo pipefail
kubectl describe pod -l app=analytics | tail -4
kubectl set resources deployment analytics --requests=memory=64Mi
kubectl rollout status deployment/analytics --timeout=300s

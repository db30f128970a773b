#!/usr/bin/env bash
# Solution: expose the Deployment; port 80 on the Service, 8080 on the Pods.
set -euo pipefail
kubectl rollout status deployment shop --timeout=300s
kubectl expose deployment shop --name=shop --port=80 --target-port=8080

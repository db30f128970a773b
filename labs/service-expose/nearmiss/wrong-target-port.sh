#!/usr/bin/env bash
# Near miss: the Service exists and selects the Pods, but sends traffic to port 80, where
# nothing listens.
# fails: expose/endpoints expose/http expose/reach
set -euo pipefail
kubectl rollout status deployment shop --timeout=300s
kubectl expose deployment shop --name=shop --port=80 --target-port=80

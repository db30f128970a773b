#!/usr/bin/env bash
# Near miss: a NodePort Service where a ClusterIP one is asked: it also opens a port on every
# node to the outside.
# fails: expose/service
set -euo pipefail
kubectl rollout status deployment shop --timeout=300s
kubectl expose deployment shop --name=shop --type=NodePort --port=80 --target-port=8080

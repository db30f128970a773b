#!/usr/bin/env bash
# Alternative: kubectl create service, whose selector app=shop matches the Pods.
set -euo pipefail
kubectl rollout status deployment shop --timeout=300s
kubectl create service clusterip shop --tcp=80:8080

#!/usr/bin/env bash
# Near miss: the right image, but 2 replicas where 3 are asked.
# fails: scale/replicas scale/ready
set -euo pipefail
kubectl create deployment web --image=kcnaprep.local/labapp:1.0 --replicas=2
kubectl rollout status deployment web --timeout=300s

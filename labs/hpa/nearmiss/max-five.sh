#!/usr/bin/env bash
# Near miss: 5 replicas at most, where 6 are asked.
# fails: hpa/hpa
set -euo pipefail
kubectl autoscale deployment frontend --min=2 --max=5 --cpu=60%

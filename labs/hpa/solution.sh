#!/usr/bin/env bash
# Solution: one kubectl autoscale; the v2 API shows the CPU target as a Resource metric.
set -euo pipefail
kubectl autoscale deployment frontend --min=2 --max=6 --cpu=60%
kubectl get hpa frontend

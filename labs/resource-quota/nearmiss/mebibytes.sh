#!/usr/bin/env bash
# Near miss: 1000Mi is not 1Gi (1024Mi), and the worker has requests but no limits, so the
# quota refuses its Pods.
# fails: quota/hard worker/resources worker/running
set -euo pipefail
kubectl create quota team-quota --hard=pods=10,requests.cpu=1,requests.memory=1000Mi,limits.cpu=2,limits.memory=2Gi
kubectl create deployment worker --image=kcnaprep.local/labapp:1.0 --replicas=2
kubectl set resources deployment worker --requests=cpu=100m,memory=64Mi

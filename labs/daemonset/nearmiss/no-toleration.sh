#!/usr/bin/env bash
# Near miss: no toleration. On a one-node kind cluster the control-plane node is not tainted, so
# the agent runs; on a real cluster it would skip every control-plane node.
# fails: agent/tolerates
set -euo pipefail
kubectl create deployment node-agent --image=kcnaprep.local/labapp:1.0 --dry-run=client -o yaml |
  sed -e 's/^kind: Deployment/kind: DaemonSet/' -e '/^  replicas:/d' -e '/^  strategy:/d' -e '/^status:/d' |
  kubectl apply -f -
kubectl rollout status daemonset/node-agent --timeout=300s

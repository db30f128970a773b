#!/usr/bin/env bash
# Near miss: the memory request is removed altogether. The Pod schedules, but the scheduler no
# longer reserves anything for it.
# fails: fix/request
set -euo pipefail
kubectl patch deployment analytics --type=json -p '[{"op":"remove","path":"/spec/template/spec/containers/0/resources/requests/memory"}]'
kubectl rollout status deployment/analytics --timeout=300s

#!/usr/bin/env bash
# Alternative: a JSON patch setting the request to 64M (decimal megabytes, about 61Mi) and
# adding a memory limit.
set -euo pipefail
kubectl get events --field-selector reason=FailedScheduling | tail -3 || true
kubectl patch deployment analytics --type=json -p '[
  {"op":"replace","path":"/spec/template/spec/containers/0/resources/requests/memory","value":"64M"},
  {"op":"add","path":"/spec/template/spec/containers/0/resources/limits","value":{"memory":"128M"}}]'
kubectl rollout status deployment/analytics --timeout=300s

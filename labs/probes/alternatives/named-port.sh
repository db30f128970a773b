#!/usr/bin/env bash
# Alternative: both probes refer to the container port by its name, http, added by a JSON patch.
set -euo pipefail
kubectl patch deployment api --type=json -p '[
  {"op":"add","path":"/spec/template/spec/containers/0/readinessProbe","value":{"httpGet":{"path":"/readyz","port":"http"},"initialDelaySeconds":3,"periodSeconds":3}},
  {"op":"add","path":"/spec/template/spec/containers/0/livenessProbe","value":{"httpGet":{"path":"/healthz","port":"http"},"initialDelaySeconds":15,"periodSeconds":10}}]'
kubectl rollout status deployment api --timeout=300s

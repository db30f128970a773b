#!/usr/bin/env bash
# Near miss: the selector is fixed, but the target port is changed to 80, where nothing listens.
# fails: fix/http fix/reach
set -euo pipefail
kubectl patch service catalog --type=json -p '[{"op":"replace","path":"/spec/selector","value":{"app":"catalog-api"}},{"op":"replace","path":"/spec/ports/0/targetPort","value":80}]'
kubectl rollout status deployment/catalog --timeout=300s

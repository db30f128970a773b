#!/usr/bin/env bash
# Near miss: parallelism 3 without completions. The Job becomes a work queue: it is done as soon
# as one Pod succeeds, and nothing asks for three completions.
# fails: job/spec
set -euo pipefail
kubectl create job checksum --image=kcnaprep.local/labapp:1.0 --dry-run=client -o yaml -- /labapp sleep 2s |
  kubectl patch --local -f - --type=merge -p '{"spec":{"parallelism":3}}' -o yaml |
  kubectl apply -f -
kubectl wait --for=condition=Complete job/checksum --timeout=300s

#!/usr/bin/env bash
# Near miss: everything right, but the CronJob was suspended while testing and left so: it never
# runs.
# fails: cron/runs
set -euo pipefail
kubectl create job checksum --image=kcnaprep.local/labapp:1.0 --dry-run=client -o yaml -- /labapp sleep 2s |
  kubectl patch --local -f - --type=merge -p '{"spec":{"completions":3,"parallelism":3}}' -o yaml |
  kubectl apply -f -
kubectl create cronjob nightly-report --image=kcnaprep.local/labapp:1.0 --schedule='30 2 * * *' -- /labapp sleep 1s
kubectl patch cronjob nightly-report -p '{"spec":{"concurrencyPolicy":"Forbid","suspend":true}}'
kubectl wait --for=condition=Complete job/checksum --timeout=120s

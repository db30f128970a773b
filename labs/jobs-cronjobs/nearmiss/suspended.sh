#!/usr/bin/env bash
# Near miss: the CronJob is right, but was suspended while testing and left so: it never runs.
# fails: cron/runs
set -euo pipefail
kubectl create cronjob nightly-report --image=kcnaprep.local/labapp:1.0 --schedule='30 2 * * *' -- /labapp sleep 1s
kubectl patch cronjob nightly-report -p '{"spec":{"concurrencyPolicy":"Forbid","suspend":true}}'

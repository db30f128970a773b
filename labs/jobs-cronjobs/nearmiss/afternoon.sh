#!/usr/bin/env bash
# Near miss: 14:30 is not 02:30, and overlapping runs are still allowed.
# fails: cron/schedule
set -euo pipefail
kubectl create cronjob nightly-report --image=kcnaprep.local/labapp:1.0 --schedule='30 14 * * *' -- /labapp sleep 1s

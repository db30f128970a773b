#!/usr/bin/env bash
# Solution: a Job written as YAML (completions and parallelism), and a CronJob from kubectl.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: checksum
spec:
  completions: 3
  parallelism: 3
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: checksum
          image: kcnaprep.local/labapp:1.0
          args: [sleep, 2s]
YAML
kubectl create cronjob nightly-report --image=kcnaprep.local/labapp:1.0 --schedule='30 2 * * *' -- /labapp sleep 1s
kubectl patch cronjob nightly-report -p '{"spec":{"concurrencyPolicy":"Forbid"}}'
kubectl wait --for=condition=Complete job/checksum --timeout=300s

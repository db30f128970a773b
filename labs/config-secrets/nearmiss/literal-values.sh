#!/usr/bin/env bash
# Near miss: the Pod sees the right values, but typed in as literals instead of taken from the
# ConfigMap and the Secret, and nothing is mounted.
# fails: pod/env-source pod/file
set -euo pipefail
kubectl create configmap app-config --from-literal=GREETING=hello-kcna
kubectl create secret generic app-secret --from-literal=API_TOKEN=s3cr3t-kcna
kubectl run configured --image=kcnaprep.local/labapp:1.0 --env=GREETING=hello-kcna --env=API_TOKEN=s3cr3t-kcna
kubectl wait --for=condition=Ready pod/configured --timeout=300s

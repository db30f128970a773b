#!/usr/bin/env bash
# Near miss: 64M (megabytes) is less than 64Mi (mebibytes), and nothing mounts the claim.
# fails: claim/claim mount/mounted
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 64M
YAML

#!/usr/bin/env bash
# Near miss: a preferred node affinity instead of a required one. The Pod lands on the ssd node
# here (it is the only node), but would go elsewhere as soon as the ssd node is busy.
# fails: pod/required
set -euo pipefail
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
kubectl label node "$node" kcnaprep.dev/disk=ssd
kubectl taint node "$node" kcnaprep.dev/maintenance=true:NoSchedule
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: fast-app
spec:
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          preference:
            matchExpressions:
              - {key: kcnaprep.dev/disk, operator: In, values: [ssd]}
  tolerations:
    - {key: kcnaprep.dev/maintenance, operator: Exists, effect: NoSchedule}
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
YAML
kubectl wait --for=condition=Ready pod/fast-app --timeout=300s

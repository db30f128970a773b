#!/usr/bin/env bash
# Near miss: the taint's effect is PreferNoSchedule, a wish the scheduler may ignore, not the
# NoSchedule that keeps other Pods off; and the Pod's toleration has the value in the wrong case.
# fails: taint/tainted pod/running
set -euo pipefail
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
kubectl label node "$node" kcnaprep.dev/disk=ssd
kubectl taint node "$node" kcnaprep.dev/maintenance=true:PreferNoSchedule
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: fast-app
spec:
  nodeSelector: {kcnaprep.dev/disk: ssd}
  tolerations:
    - {key: kcnaprep.dev/maintenance, operator: Equal, value: "True", effect: NoSchedule}
  containers:
    - name: app
      image: kcnaprep.local/labapp:1.0
YAML
kubectl wait --for=condition=Ready pod/fast-app --timeout=300s

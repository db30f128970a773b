#!/usr/bin/env bash
# Alternative: the three objects as YAML, the ClusterRole's rule with its apiGroups written out
# and the verbs in another order.
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl apply -f - <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: node-watcher
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: node-viewer
rules:
  - apiGroups: [""]
    resources: ["nodes"]
    verbs: ["list", "watch", "get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: node-watcher-view
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: node-viewer
subjects:
  - kind: ServiceAccount
    name: node-watcher
    namespace: $ns
YAML

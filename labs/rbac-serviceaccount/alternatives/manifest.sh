#!/usr/bin/env bash
# Alternative: ServiceAccount, Role and RoleBinding as YAML; the Role has one rule for Pods and
# a separate one granting only get on pods/log.
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl apply -f - <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [pods/log]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader-binding
subjects:
  - kind: ServiceAccount
    name: reader
    namespace: $ns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pod-reader
YAML
kubectl auth can-i get pods/log --as="system:serviceaccount:$ns:reader"

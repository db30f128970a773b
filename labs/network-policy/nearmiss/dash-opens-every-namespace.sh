#!/usr/bin/env bash
# Near miss: the classic YAML dash mistake. "- namespaceSelector: {}" starts a second peer of its
# own instead of narrowing the first, so db accepts every Pod of every namespace on 8080.
# fails: allow/api-to-db
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-api
spec:
  podSelector:
    matchLabels: {app: db}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: api}
        - namespaceSelector: {}
      ports:
        - {protocol: TCP, port: 8080}
YAML

#!/usr/bin/env bash
# Near miss: the allow rule lists web as a second source "for testing", and the deny policy
# allows everything in (an empty rule matches all traffic).
# fails: deny/nothing-in allow/api-to-db
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-api
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: api}
        - podSelector:
            matchLabels: {app: web}
      ports:
        - port: 8080
YAML

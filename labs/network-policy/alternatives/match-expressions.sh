#!/usr/bin/env bash
# Alternative: set-based selectors (matchExpressions with In) instead of matchLabels, and one
# kubectl apply for both policies.
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
    matchExpressions:
      - {key: app, operator: In, values: [db]}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchExpressions:
              - {key: app, operator: In, values: [api]}
      ports:
        - {protocol: TCP, port: 8080}
YAML

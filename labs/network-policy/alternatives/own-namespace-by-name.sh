#!/usr/bin/env bash
# Alternative: the source peer pairs the api podSelector with a namespaceSelector on this
# namespace's own name (the same traffic as a podSelector alone), and the port is given as a
# range of one (endPort).
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress]
YAML
kubectl apply -f - <<YAML
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
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: $ns
          podSelector:
            matchLabels: {app: api}
      ports:
        - {protocol: TCP, port: 8080, endPort: 8080}
YAML
